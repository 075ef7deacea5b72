import { connect as netConnect } from 'node:net';
import type { SshdFixture } from '@vigil/test-sshd';
// biome-ignore lint/style/noRestrictedImports: the baseline is bare ssh2 without the gateway; this is the bench's only ssh2 import.
import ssh2, { type ClientChannel } from 'ssh2';
import { OutputListener, TERMINAL_SIZE, type TerminalStream } from './terminal-stream.js';

// ssh2 is CommonJS: under Node's ESM loader only its default export is visible.
const { Client } = ssh2;

const CONNECT_TIMEOUT_MS = 30_000;

/** What a login needs from the fixture; plain data, so it also crosses the IPC channel. */
export type SshLogin = Pick<SshdFixture, 'host' | 'port' | 'user' | 'privateKey' | 'hostKeys'>;

/**
 * The baseline: the same PTY shell the gateway opens (xterm-256color, LANG=C.UTF-8, Nagle off,
 * ssh2's default algorithms), held by a bare ssh2 client, with nothing between it and the bench.
 */
export class DirectShell implements TerminalStream {
  received = 0;
  private readonly output = new OutputListener();
  private readonly ended: Promise<void>;

  private constructor(
    /** The bare connection, for the holder's keepalives (the gateway's own request on it). */
    readonly client: InstanceType<typeof Client>,
    private readonly channel: ClientChannel,
  ) {
    const onData = (chunk: Buffer) => {
      this.received += chunk.length;
      this.output.deliver(chunk);
    };
    channel.on('data', onData);
    channel.stderr.on('data', onData);
    this.ended = new Promise((resolve) => client.once('close', () => resolve()));
  }

  static async open(sshd: SshLogin): Promise<DirectShell> {
    const pins = sshd.hostKeys.map((key) => key.publicKey.split(' ')[1]);
    const socket = netConnect({ host: sshd.host, port: sshd.port, noDelay: true });
    const client = new Client();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('direct ssh2: no handshake in time')),
        CONNECT_TIMEOUT_MS,
      );
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    client.connect({
      sock: socket,
      username: sshd.user,
      privateKey: sshd.privateKey,
      readyTimeout: 0,
      hostVerifier: (key: Buffer) => pins.includes(key.toString('base64')),
    });
    await ready;
    const shell = await new Promise<DirectShell>((resolve, reject) => {
      client.shell(
        { term: 'xterm-256color', ...TERMINAL_SIZE, width: 0, height: 0 },
        { env: { LANG: 'C.UTF-8' } },
        // Built here, synchronously, so its data listener is on before the first packet.
        (error, stream) => (error ? reject(error) : resolve(new DirectShell(client, stream))),
      );
    });
    client.on('error', () => {});
    return shell;
  }

  onOutput(listener: (chunk: Buffer) => void): void {
    this.output.set(listener);
  }

  type(data: string | Buffer): void {
    this.channel.write(data);
  }

  async close(): Promise<void> {
    this.channel.close();
    this.client.end();
    const timer = setTimeout(() => this.client.destroy(), 5_000);
    await this.ended;
    clearTimeout(timer);
  }
}
