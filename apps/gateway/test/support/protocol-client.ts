import {
  type ClientMessage,
  PROTOCOL_VERSION,
  parseServerMessage,
  type ServerMessage,
} from '@vigil/protocol';
import WebSocket from 'ws';

/**
 * A headless browser stand-in that speaks the wire protocol, for integration tests: it records
 * every server message and all terminal output, and waits on them with deadlines.
 */
export class ProtocolClient {
  readonly messages: ServerMessage[] = [];
  /** When each message in `messages` arrived (performance.now()). */
  readonly arrivals: number[] = [];
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  /** Every output byte received, kept or not. */
  outputBytes = 0;
  /** Output position of the session this client has reached (replay start + bytes since). */
  position = 0;
  /** Acknowledge output as soon as it arrives, as a browser does once xterm.js has parsed it. */
  autoAck = true;
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;

  /** @param keepBytes how much of the newest output to keep; floods need a bound. */
  private constructor(
    readonly socket: WebSocket,
    private readonly keepBytes: number,
  ) {
    socket.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.keep(data);
        this.position += data.length;
        if (this.autoAck) this.send({ type: 'ack', position: this.position });
      } else {
        const parsed = parseServerMessage(data.toString('utf8'));
        if (!parsed.ok) throw new Error(`gateway sent an invalid message: ${parsed.reason}`);
        if (parsed.message.type === 'attached') this.position = parsed.message.position;
        this.messages.push(parsed.message);
        this.arrivals.push(performance.now());
      }
      this.notify();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
  }

  private keep(chunk: Buffer) {
    this.outputBytes += chunk.length;
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes - this.chunks[0]!.length >= this.keepBytes)
      this.keptBytes -= this.chunks.shift()!.length;
  }

  static async connect(
    url: string,
    headers: Record<string, string> = {},
    keepBytes = Number.POSITIVE_INFINITY,
    /** false plays a browser whose network has gone: pings go unanswered. */
    autoPong = true,
  ): Promise<ProtocolClient> {
    const socket = new WebSocket(url, { headers, autoPong });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new ProtocolClient(socket, keepBytes);
  }

  private notify() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `condition` holds, re-checked on every frame; rejects at the deadline. */
  // 20 s: a login takes ~100 ms, but a loaded 2-core machine can be a hundred times slower.
  async until<T>(what: string, condition: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = condition();
      if (value !== undefined && value !== false) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; messages: ${JSON.stringify(this.messages)}; output: ${JSON.stringify(this.text().slice(-500))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  message<T extends ServerMessage['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    return this.until(
      `a "${type}" message`,
      () => this.messages.find((m): m is Extract<ServerMessage, { type: T }> => m.type === type),
      timeoutMs,
    );
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  outputMatching(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
    return this.until(`output matching ${pattern}`, () => this.text().match(pattern) ?? undefined, timeoutMs);
  }

  closed(timeoutMs?: number): Promise<number> {
    return this.until('the socket to close', () => this.closeCode, timeoutMs);
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary: boolean): void {
    this.socket.send(data, { binary });
  }

  type(text: string): void {
    this.socket.send(Buffer.from(text, 'utf8'), { binary: true });
  }

  open(
    fields: Partial<Extract<ClientMessage, { type: 'open' }>> &
      Pick<Extract<ClientMessage, { type: 'open' }>, 'target' | 'auth'>,
  ) {
    this.send({ type: 'open', protocol: PROTOCOL_VERSION, cols: 80, rows: 24, ...fields });
  }

  attach(sessionId: string, position: number | null): void {
    this.send({ type: 'attach', protocol: PROTOCOL_VERSION, sessionId, position });
  }

  close(): void {
    this.socket.close();
  }
}
