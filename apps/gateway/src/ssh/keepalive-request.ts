import type { Client } from 'ssh2';

/**
 * ssh2 1.17 has no public call that sends a global request and reports its reply. Its own
 * keepalive does exactly this: queue a reply callback, then `_protocol.ping()` sends
 * `keepalive@openssh.com` with want-reply. Replies are matched in order (RFC 4254 §4). These two
 * private members are the only ssh2 internals Vigil touches; test/ssh2-keepalive.test.ts pins
 * them against real OpenSSH, so an ssh2 upgrade that moves them fails loudly.
 */
interface Ssh2Internals {
  _callbacks?: ((error: unknown) => void)[];
  _protocol?: { ping(): void };
}

export class Ssh2InternalsChanged extends Error {}

/** Sends one keepalive; `onReply` runs when the server answers (success or failure alike). */
export function sendKeepalive(client: Client, onReply: () => void): void {
  const internals = client as unknown as Ssh2Internals;
  if (!Array.isArray(internals._callbacks) || typeof internals._protocol?.ping !== 'function') {
    throw new Ssh2InternalsChanged(
      'ssh2 internals changed: _callbacks/_protocol.ping are gone; see keepalive-request.ts',
    );
  }
  internals._callbacks.push((error) => {
    // On disconnect ssh2 fails queued callbacks with an Error: that is no reply.
    if (!(error instanceof Error)) onReply();
  });
  internals._protocol.ping();
}
