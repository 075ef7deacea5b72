import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Below this, ports belong to well-known services more often than not. */
const LOWEST_PORT = 10_000;
const LOOKS = 50;

/**
 * A free port on 127.0.0.1 below the kernel's ephemeral range when there is room. The kernel
 * hands out ephemeral ports both to listen(0) and as the local port of every outgoing
 * connection, so one of those could be taken while the server is stopped for a fault test, and
 * startServer() must come back on the same port. It is free only until someone else binds it, so
 * the caller must be ready to try again when its server reports it taken.
 */
export async function freePort(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const ephemeralLow = Number(range.trim().split(/\s+/)[0]);
  if (Number.isInteger(ephemeralLow) && ephemeralLow - LOWEST_PORT >= 1_000) {
    for (let look = 0; look < LOOKS; look++) {
      const port = await listenAndClose(randomInt(LOWEST_PORT, ephemeralLow));
      if (port !== undefined) return port;
    }
  }
  const port = await listenAndClose(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** The port a listener got (the kernel's pick for 0), or undefined when it is taken. */
function listenAndClose(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : undefined));
    });
  });
}
