import {
  type ClientMessage,
  FLOW_CONTROL,
  type LegHealth,
  PROTOCOL_VERSION,
  parseServerMessage,
  type ServerMessage,
} from '@vigil/protocol';
import type { SshdFixture } from '@vigil/test-sshd';
import WebSocket from 'ws';
import { OutputListener, TERMINAL_SIZE, type TerminalStream } from './terminal-stream.js';

const OPEN_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

export interface HealthSample {
  /** performance.now() when it arrived. */
  at: number;
  ssh: LegHealth;
  browser: LegHealth;
  /** Through another replica: the hop between it and the owner, as the owner measures it. */
  hop: LegHealth | undefined;
}

/** Who the page is: sessions belong to it, and the same cookie may attach to them on any replica. */
export interface BenchIdentity {
  /** A `Cookie` header, e.g. `vigil_client=…`. */
  cookie: string;
}

/**
 * A headless browser for benchmarks: speaks the protocol, acknowledges output as xterm.js's write
 * callback would (at least every `ackEveryBytes`, and whenever its queue drains, here at the end
 * of each event-loop turn), and keeps nothing: output goes to a listener that counts or checks it.
 */
export class BenchClient implements TerminalStream {
  received = 0;
  /** Binary frames received: with `received`, the gateway's average output chunk. */
  frames = 0;
  private acked = 0;
  /** Output position of the first byte on this socket: 0 after an open, the `attached` position after an attach. */
  private firstPosition = 0;
  private ackScheduled = false;
  private readonly output = new OutputListener();
  /** Called for every `health` message. */
  onHealth: ((sample: HealthSample) => void) | undefined;
  sessionId: string | undefined;
  exit: Extract<ServerMessage, { type: 'exit' }> | undefined;
  /** The first fatal error the gateway sent. */
  fatal: Extract<ServerMessage, { type: 'error' }> | undefined;
  /** Non-fatal errors (an ack the gateway refused would show up here). */
  readonly errors: string[] = [];
  readonly closed: Promise<number>;
  /** Waits for `opened` (the session id) or `attached`. */
  private openWaiter: { resolve: (id: string) => void; reject: (error: Error) => void } | undefined;

  private constructor(private readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.once('close', (code) => {
        this.openWaiter?.reject(
          new Error(`socket closed (${code}) before the session opened: ${this.fatal?.message ?? ''}`),
        );
        resolve(code);
      });
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.onOutputFrame(data);
      else this.onControl(data.toString('utf8'));
    });
  }

  static async connect(wsUrl: string, identity?: BenchIdentity): Promise<BenchClient> {
    const headers = identity === undefined ? {} : { cookie: identity.cookie };
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false, headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    socket.on('error', () => {});
    return new BenchClient(socket);
  }

  private onOutputFrame(chunk: Buffer) {
    this.received += chunk.length;
    this.frames++;
    this.output.deliver(chunk);
    if (this.received - this.acked >= FLOW_CONTROL.ackEveryBytes) this.ack();
    else if (!this.ackScheduled) {
      this.ackScheduled = true;
      setImmediate(() => {
        this.ackScheduled = false;
        this.ack();
      });
    }
  }

  private ack() {
    if (this.received <= this.acked) return;
    this.acked = this.received;
    this.send({ type: 'ack', position: this.firstPosition + this.received });
  }

  private onControl(text: string) {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) throw new Error(`the gateway sent an invalid message: ${parsed.reason}`);
    const message = parsed.message;
    switch (message.type) {
      case 'opened':
        this.sessionId = message.sessionId;
        this.openWaiter?.resolve(message.sessionId);
        this.openWaiter = undefined;
        return;
      case 'attached':
        this.sessionId = message.sessionId;
        this.firstPosition = message.position;
        this.openWaiter?.resolve(message.sessionId);
        this.openWaiter = undefined;
        return;
      case 'health':
        this.onHealth?.({
          at: performance.now(),
          ssh: message.ssh,
          browser: message.browser,
          hop: message.hop,
        });
        return;
      case 'exit':
        this.exit = message;
        return;
      case 'error':
        if (message.fatal) {
          this.fatal ??= message;
          this.openWaiter?.reject(new Error(`${message.code}: ${message.message}`));
          this.openWaiter = undefined;
        } else this.errors.push(`${message.code}: ${message.message}`);
        return;
      default:
        return;
    }
  }

  private send(message: ClientMessage) {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the session id once the gateway says `opened` or `attached`. */
  private answered(what: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${what}" within ${OPEN_TIMEOUT_MS} ms`)),
        OPEN_TIMEOUT_MS,
      );
      this.openWaiter = {
        resolve: (id) => {
          clearTimeout(timer);
          resolve(id);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Opens a PTY shell on `target` as the fixture's user, with its key; resolves with the session id. */
  open(target: string, sshd: SshdFixture): Promise<string> {
    const opened = this.answered('opened');
    this.send({
      type: 'open',
      protocol: PROTOCOL_VERSION,
      target,
      username: sshd.user,
      auth: { method: 'publickey', privateKey: sshd.privateKey },
      ...TERMINAL_SIZE,
    });
    return opened;
  }

  /**
   * Attaches to a live session as a fresh page would (`position` null: the gateway replays what
   * it holds); on a replica that does not own it, through the hop. Takes it over from its page.
   */
  attach(sessionId: string): Promise<string> {
    const attached = this.answered('attached');
    this.send({ type: 'attach', protocol: PROTOCOL_VERSION, sessionId, position: null });
    return attached;
  }

  onOutput(listener: (chunk: Buffer) => void): void {
    this.output.set(listener);
  }

  type(data: string | Buffer): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(Buffer.from(data), { binary: true });
  }

  /** `close` as the person hanging up, then waits for the gateway to close the socket. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) this.send({ type: 'close' });
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_TIMEOUT_MS);
    await this.closed;
    clearTimeout(timer);
  }
}

/** Connects and opens a session, in one step. */
export async function openBenchSession(
  wsUrl: string,
  target: string,
  sshd: SshdFixture,
  identity?: BenchIdentity,
): Promise<BenchClient> {
  const client = await BenchClient.connect(wsUrl, identity);
  try {
    await client.open(target, sshd);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
