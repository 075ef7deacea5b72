/**
 * `fetch` for the gateway's API once the page runs. A 401 means nobody is signed in (any more):
 * `signInRequired` is called and the promise never settles, so the caller's flow stops where it
 * is and the sign-in screen takes over, instead of every caller showing a 401 as an error.
 * Not for `/api/me` and `/api/login`, whose answers the sign-in screen reads itself.
 */
export function signedInFetch(signInRequired: () => void, fetchImpl: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.status !== 401) return response;
    signInRequired();
    return new Promise<Response>(() => {});
  };
}
