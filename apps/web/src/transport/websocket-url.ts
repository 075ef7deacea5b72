import { WEBSOCKET_PATH } from '@vigil/protocol';

/** The gateway's WebSocket on the page's own origin: `wss:` under `https:`, so the shell is never sent in clear. */
export function websocketUrl(page: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}${WEBSOCKET_PATH}`;
}
