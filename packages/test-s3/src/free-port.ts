import { createServer } from 'node:net';

/**
 * A port the kernel just handed out on 127.0.0.1. It is free only until someone else binds it,
 * so the caller must be ready to try again when sshd reports it taken.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string')
          reject(new Error('no TCP address from listen(0)'));
        else resolve(address.port);
      });
    });
  });
}
