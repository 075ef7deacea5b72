import { type SshdFixture, startSshd } from '@vigil/test-sshd';
import ssh2 from 'ssh2';
// @ts-expect-error ssh2 ships no types for its internal modules.
import { MAX_WINDOW } from 'ssh2/lib/Channel.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendKeepalive } from '../src/ssh/keepalive-request.js';
import { collectGarbage } from './support/collect-garbage.js';

// Pins the two ssh2 internals keepalive-request.ts relies on, and Vigil's patch of ssh2 (flow control and sign-in) (ssh2 is
// imported here only for these reasons). If an ssh2 upgrade moves them, this fails before any heartbeat silently stops.

let sshd: SshdFixture;
let client: InstanceType<typeof ssh2.Client>;

beforeAll(async () => {
  sshd = await startSshd();
  client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKey });
  });
});
afterAll(async () => {
  client?.end();
  await sshd?.stop();
});

/** Polls a condition every 10 ms, for at most 10 s. */
async function until(condition: () => boolean | Promise<boolean>) {
  for (let tries = 0; !(await condition()); tries++) {
    if (tries > 1000) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const keepalive = () =>
  new Promise<number>((resolve) => {
    const sentAt = performance.now();
    sendKeepalive(client, () => resolve(performance.now() - sentAt));
  });

describe('the ssh2 patch (patches/ssh2@1.17.0.patch)', () => {
  it('opens channels with a 512 KiB window, so little is in flight after an early pause', () => {
    // With ssh2's 2 MiB, Ctrl-C during a flood left up to 4 MiB to drain (measured 0.4-1 s on screen).
    expect(MAX_WINDOW).toBe(512 * 1024);
  });

  it('grants a paused channel no more window: only what it had still arrives, then it resumes', async () => {
    const window = 64 * 1024;
    const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
      client.exec('exec yes', (error, stream) => (error ? reject(error) : resolve(stream))),
    );
    channel.setIncomingWindow(window);
    let received = 0;
    channel.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    // Past the 512 KiB it opened with, every grant is at most the 64 KiB asked for.
    await until(() => received > 2 * MAX_WINDOW);
    channel.pause();
    const atPause = received;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterPause = received - atPause;
    expect(afterPause).toBeLessThanOrEqual(window);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received - atPause).toBe(afterPause);
    channel.resume();
    await until(() => received > atPause + 4 * window);
    channel.close();
  });

  it('lets go of the authentication method (password or parsed key) once signed in', async () => {
    const probe = new ssh2.Client();
    // ssh2 copies a method into an object of its own, but keeps the parsed key itself.
    let method: object | undefined = {
      type: 'publickey',
      username: sshd.user,
      key: ssh2.utils.parseKey(sshd.privateKey),
    };
    const released = new WeakRef((method as { key: object }).key);
    const connectionsBefore = (await sshd.connectionPids()).length;
    let asked = 0;
    await new Promise<void>((resolve, reject) => {
      probe.once('ready', resolve).once('error', reject);
      probe.connect({
        host: sshd.host,
        port: sshd.port,
        username: sshd.user,
        authHandler: (_methodsLeft, _partialSuccess, next) => {
          asked++;
          const handed = method;
          method = undefined;
          next(handed as never);
        },
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    collectGarbage();
    expect(asked).toBe(1);
    expect(released.deref()).toBeUndefined();
    await new Promise<void>((resolve) => {
      probe.once('close', () => resolve());
      probe.end();
    });
    // Its sshd processes exit only after the socket closes; a later test freezes every connection
    // of this sshd and must not signal one that is on its way out.
    await until(async () => (await sshd.connectionPids()).length === connectionsBefore);
  });
});

describe('ssh2 keepalive internals, against OpenSSH', () => {
  it('gets exactly one reply per keepalive, in order, with a loopback round trip', async () => {
    const order: number[] = [];
    const replies = await Promise.all(
      [1, 2, 3, 4, 5].map(
        (n) =>
          new Promise<number>((resolve) =>
            sendKeepalive(client, () => {
              order.push(n);
              resolve(n);
            }),
          ),
      ),
    );
    expect(replies).toEqual([1, 2, 3, 4, 5]);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(await keepalive()).toBeLessThan(200);
  });

  it("keeps its place in the reply queue among ssh2's own global requests", async () => {
    // A refused cancel-tcpip-forward is another global request sharing the same reply queue.
    const refused = new Promise<boolean>((resolve) =>
      client.unforwardIn('127.0.0.1', 1, (err) => resolve(!!err)),
    );
    const rtt = keepalive();
    expect(await refused).toBe(true);
    expect(await rtt).toBeLessThan(200);
  });

  it('gets no reply while the server is frozen, and the reply once it wakes', async () => {
    const pids = await sshd.connectionPids();
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    let replied = false;
    const reply = keepalive().then((ms) => {
      replied = true;
      return ms;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(replied).toBe(false);
    for (const pid of pids) process.kill(pid, 'SIGCONT');
    expect(await reply).toBeGreaterThanOrEqual(500);
  });
});
