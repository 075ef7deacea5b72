import { connect } from 'node:net';

/**
 * Connects and reads the server's identification line (RFC 4253 §4.2), then says goodbye and waits
 * for the server to hang up: by then its per-connection process is gone, so it is never mistaken
 * for a test's connection.
 */
export function readSshBanner(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    let banner: string | undefined;
    const socket = connect({ host, port });
    socket.setEncoding('latin1');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no SSH banner from ${host}:${port} in ${timeoutMs} ms`)),
    );
    socket.on('data', (chunk: string) => {
      if (banner !== undefined) return;
      received += chunk;
      const end = received.indexOf('\n');
      if (end === -1) return;
      banner = received.slice(0, end).replace(/\r$/, '');
      socket.end();
    });
    socket.on('error', (error) => (banner === undefined ? reject(error) : resolve(banner)));
    socket.on('close', () => {
      if (banner === undefined)
        reject(new Error(`${host}:${port} closed the connection before its SSH banner`));
      else resolve(banner);
    });
  });
}
