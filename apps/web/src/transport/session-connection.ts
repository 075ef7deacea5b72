import { type ClientMessage, parseServerMessage, type ServerMessage } from '@vigil/protocol';
import type { TerminalSize } from '../terminal/terminal-size.js';
import {
  type GatewayWatch,
  pageWatchEnvironment,
  startGatewayWatch,
  type WatchEnvironment,
} from './gateway-watch.js';
import { splitInputFrames } from './input-frames.js';
import type { OpenMessage } from './open-message.js';

export type AttachMessage = Extract<ClientMessage, { type: 'attach' }>;

export type SessionHealth = Extract<ServerMessage, { type: 'health' }>;
export type AuthPrompt = Extract<ServerMessage, { type: 'auth-prompt' }>;
export type HostKeyOffer = Extract<ServerMessage, { type: 'host-key-unknown' }>;
export type SessionOpened = Extract<ServerMessage, { type: 'opened' }>;
export type SessionAttached = Extract<ServerMessage, { type: 'attached' }>;
export type SessionExit = Extract<ServerMessage, { type: 'exit' }>;
export type SessionError = Omit<Extract<ServerMessage, { type: 'error' }>, 'type'>;

/** Why the socket closed when neither `exit` nor a fatal `error` said the session was over. */
export interface ConnectionLost {
  /** False when the socket never opened: the gateway could not be reached at all. */
  everOpen: boolean;
  /** 1006 (closed without a close frame) when the page gave up on a silent gateway. */
  closeCode: number;
  /** Set when the page's watchdog gave up: how long nothing at all had arrived. */
  silentMs?: number;
}

/** What the connection reports; one callback per server message type, plus the socket's fate. */
export interface SessionConnectionEvents {
  output(bytes: Uint8Array<ArrayBuffer>): void;
  health(health: SessionHealth): void;
  authPrompt(prompt: AuthPrompt): void;
  hostKeyUnknown(offer: HostKeyOffer): void;
  opened(opened: SessionOpened): void;
  attached(attached: SessionAttached): void;
  exit(exit: SessionExit): void;
  error(error: SessionError): void;
  lost(lost: ConnectionLost): void;
}

export type SessionConnectionState = 'connecting' | 'opening' | 'attached' | 'ended';

export interface SessionConnectionOptions {
  /** Opens the socket. @default the browser's WebSocket */
  connect?: (url: string) => SessionSocket;
  /** Clock, timers and wake-ups for the watch on a silent gateway. @default the page's */
  watch?: WatchEnvironment;
}

/** The part of the browser's WebSocket a session uses; tests hand in their own. */
export type SessionSocket = Pick<
  WebSocket,
  'binaryType' | 'readyState' | 'send' | 'close' | 'addEventListener'
>;

// WebSocket.readyState values, spelled out so this module loads where `WebSocket` is not a global.
const CONNECTING = 0;
const OPEN = 1;
/** RFC 6455: the connection ended without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/**
 * One WebSocket to the gateway carrying a session: sends `open` or `attach`, turns server frames
 * into events, and sends input, acks, answers and sizes back. It does no DOM work (only its watch
 * on a silent gateway listens for the page waking); ResumableSession strings several of them
 * together across drops. Events are delivered until the connection ends (`exit`, a fatal
 * `error`, `lost`, which includes the page giving up on a silent gateway) or is disposed or
 * abandoned, never after.
 */
export class SessionConnection {
  private stateNow: SessionConnectionState = 'connecting';
  private everOpen = false;
  private readonly socket: SessionSocket;
  private readonly watch: GatewayWatch;

  constructor(
    url: string,
    first: OpenMessage | AttachMessage,
    private readonly events: SessionConnectionEvents,
    options: SessionConnectionOptions = {},
  ) {
    const connect = options.connect ?? ((url) => new WebSocket(url));
    this.watch = startGatewayWatch(
      (silentMs) => this.onSilent(silentMs),
      options.watch ?? pageWatchEnvironment(),
    );
    this.socket = connect(url);
    this.socket.binaryType = 'arraybuffer';
    // `open` carries secrets: it lives only in this closure until it is sent, then is gone.
    this.socket.addEventListener(
      'open',
      () => {
        this.everOpen = true;
        if (this.stateNow !== 'connecting') return;
        this.stateNow = 'opening';
        this.sendMessage(first);
      },
      { once: true },
    );
    this.socket.addEventListener('message', (event: MessageEvent<unknown>) => this.onFrame(event.data));
    this.socket.addEventListener('close', (event) => this.onClose(event.code));
  }

  get state(): SessionConnectionState {
    return this.stateNow;
  }

  /**
   * Keystrokes and pastes as bytes (see `inputBytes`). Dropped unless attached and open.
   * @returns whether they were sent
   */
  sendInput(bytes: Uint8Array<ArrayBuffer>): boolean {
    if (this.stateNow !== 'attached' || this.socket.readyState !== OPEN) return false;
    for (const frame of splitInputFrames(bytes)) this.socket.send(frame);
    return true;
  }

  /** Output up to `position` has been parsed by the terminal (flow control). */
  ack(position: number): void {
    if (this.stateNow === 'attached') this.sendMessage({ type: 'ack', position });
  }

  resize(size: TerminalSize): void {
    if (this.stateNow === 'attached') this.sendMessage({ type: 'resize', cols: size.cols, rows: size.rows });
  }

  answerPrompt(answers: string[]): void {
    this.sendMessage({ type: 'auth-answers', answers });
  }

  decideHostKey(accept: boolean): void {
    this.sendMessage({ type: 'host-key-decision', accept });
  }

  /** The person hangs up. The gateway answers with `exit` and closes; if it cannot, we close. */
  hangUp(): void {
    if (this.stateNow === 'ended') return;
    if (this.socket.readyState === OPEN) this.sendMessage({ type: 'close' });
    else this.finish();
  }

  /** Leaves the session without hearing more from it: hangs up and reports no further events. */
  dispose(): void {
    if (this.stateNow !== 'ended' && this.socket.readyState === OPEN) this.sendMessage({ type: 'close' });
    this.finish();
  }

  /**
   * Drops this connection but not the session: the socket closes without `close`, so the
   * gateway keeps the shell for its grace period. Reports no further events.
   */
  abandon(): void {
    this.finish();
  }

  private sendMessage(message: ClientMessage) {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private onFrame(data: unknown) {
    if (this.stateNow === 'ended') return;
    this.watch.heard();
    if (data instanceof ArrayBuffer) {
      this.events.output(new Uint8Array(data));
      return;
    }
    if (typeof data !== 'string') return;
    const parsed = parseServerMessage(data);
    if (!parsed.ok) {
      // describeError words these codes for the gateway's side; here it is the page that could not read.
      const message = `This page could not read a message from the gateway (${parsed.reason}). It was ignored.`;
      this.events.error({ code: parsed.code, message, fatal: false });
      return;
    }
    this.dispatch(parsed.message);
  }

  private dispatch(message: ServerMessage) {
    switch (message.type) {
      case 'health':
        this.watch.health(message.browser);
        return this.events.health(message);
      case 'auth-prompt':
        return this.events.authPrompt(message);
      case 'host-key-unknown':
        return this.events.hostKeyUnknown(message);
      case 'opened':
        this.stateNow = 'attached';
        return this.events.opened(message);
      case 'attached':
        this.stateNow = 'attached';
        return this.events.attached(message);
      case 'exit':
        this.finish();
        return this.events.exit(message);
      case 'error':
        if (message.fatal) this.finish();
        return this.events.error({ code: message.code, message: message.message, fatal: message.fatal });
      default: {
        const unhandled: never = message;
        return unhandled;
      }
    }
  }

  /** The session is over by its own account; the socket closing afterwards is expected. */
  private finish() {
    this.stateNow = 'ended';
    this.watch.stop();
    if (this.socket.readyState === OPEN || this.socket.readyState === CONNECTING) {
      this.socket.close(1000);
    }
  }

  private onClose(closeCode: number) {
    if (this.stateNow === 'ended') return;
    this.stateNow = 'ended';
    this.watch.stop();
    this.events.lost({ everOpen: this.everOpen, closeCode });
  }

  /**
   * The watchdog heard nothing for longer than the gateway itself would wait. The person is told
   * now: the socket's own close event could take minutes on a dead path, as the browser waits for
   * a closing handshake or for TCP to give up.
   */
  private onSilent(silentMs: number) {
    if (this.stateNow === 'ended') return;
    this.finish();
    this.events.lost({ everOpen: this.everOpen, closeCode: ABNORMAL_CLOSURE, silentMs });
  }
}
