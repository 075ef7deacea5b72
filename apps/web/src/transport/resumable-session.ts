import { PROTOCOL_VERSION } from '@vigil/protocol';
import type { Timers } from '../terminal/resize-reporter.js';
import type { TerminalSize } from '../terminal/terminal-size.js';
import type { WatchEnvironment } from './gateway-watch.js';
import { inputBytes } from './input-frames.js';
import type { OpenMessage } from './open-message.js';
import { OutputAcks } from './output-acks.js';
import { type BackoffPolicy, reconnectDelayMs } from './reconnect-backoff.js';
import {
  type AttachMessage,
  type AuthPrompt,
  type ConnectionLost,
  type HostKeyOffer,
  type SessionAttached,
  SessionConnection,
  type SessionConnectionEvents,
  type SessionError,
  type SessionExit,
  type SessionHealth,
  type SessionOpened,
  type SessionSocket,
} from './session-connection.js';

/**
 * Input typed while reconnecting is kept up to this many bytes and sent once reattached, in
 * order; a piece that does not fit is dropped whole (never half a paste) and the page says so.
 * @default 4096
 */
export const MAX_QUEUED_INPUT_BYTES = 4096;

/**
 * A reconnect attempt whose `attached` has not come by then is given up and the next one
 * scheduled: a socket can hang in CONNECTING on a dead path for minutes.
 * @default 10000
 */
export const ATTACH_TIMEOUT_MS = 10_000;

/**
 * An `open` refused by a replica draining for a restart (GATEWAY_DRAINING) is sent again up to
 * this many times: by then the balancer has seen the replica's failing readiness check and sends
 * the page to another one. @default 6
 */
export const MAX_OPEN_RETRIES = 6;

/**
 * The waits before those tries, full jitter as for reconnects: 0.5 s doubling to 5 s, some 9 s
 * on average over all six, longer than a balancer's usual 2–3 failed checks take. @default 500, 2, 5000
 */
export const OPEN_RETRY_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 5_000 };

/** How a session view begins: sign in to a target, or take up a live session of this browser. */
export type SessionStart =
  | { kind: 'open'; message: OpenMessage }
  /** A fresh page (reload, another tab): the gateway sends what recent output it still holds. */
  | { kind: 'attach'; sessionId: string };

export interface Reconnecting {
  /** 1 for the first attempt after a drop; back to 1 after each successful reattach. */
  attempt: number;
  /** The wait before that attempt. */
  delayMs: number;
}

export interface OpenRetrying {
  /** 1 for the first try after the first refusal. */
  attempt: number;
  /** MAX_OPEN_RETRIES. */
  of: number;
  delayMs: number;
}

export interface ResumableSessionEvents {
  /** Terminal bytes; hand `parsed` to `term.write` as its callback (flow control counts on it). */
  output(bytes: Uint8Array<ArrayBuffer>, parsed: () => void): void;
  health(health: SessionHealth): void;
  authPrompt(prompt: AuthPrompt): void;
  hostKeyUnknown(offer: HostKeyOffer): void;
  opened(opened: SessionOpened): void;
  /** Attached to a live session, first or again; output continues from `position`. */
  attached(attached: SessionAttached): void;
  /** The connection is gone; another attempt is scheduled. */
  reconnecting(reconnecting: Reconnecting): void;
  /** The replica asked was draining; the same `open` goes out again after `delayMs`. */
  openRetrying(retrying: OpenRetrying): void;
  /** Input typed while reconnecting that did not fit the queue, in bytes. */
  inputDropped(bytes: number): void;
  exit(exit: SessionExit): void;
  error(error: SessionError): void;
  /** The connection ended before there was a session to come back to. */
  lost(lost: ConnectionLost): void;
}

export type ResumableSessionState = 'connecting' | 'opening' | 'attached' | 'reconnecting' | 'ended';

/** Timers, randomness and the browser's "back online" signal that reconnecting runs on. */
export interface ReconnectEnvironment extends Timers {
  /** A draw in [0, 1) for the backoff's jitter. */
  random(): number;
  /** Calls `listener` when the browser goes offline (false) or online (true); returns the unsubscribe. */
  onNetworkChange(listener: (online: boolean) => void): () => void;
}

export interface ResumableSessionOptions {
  /** @default the browser's WebSocket */
  connect?: (url: string) => SessionSocket;
  /** @default the page's */
  watch?: WatchEnvironment;
  /** @default the page's */
  reconnect?: ReconnectEnvironment;
}

/**
 * A gateway session as the page keeps it: one SessionConnection at a time, and when one drops
 * (or the watchdog gives up on it) after the session was attached, the next, sending `attach`
 * with the count of bytes written to the terminal so the gateway replays exactly what is
 * missing. Attempts go on with backoff, at once when the browser comes back online, until they
 * succeed, the session is over, or the person hangs up. It also keeps the output count and
 * acknowledges what xterm.js has parsed (OutputAcks).
 */
export class ResumableSession {
  private connection: SessionConnection | undefined;
  private sessionId: string | undefined;
  /** Attached at least once: from then on a drop is reconnected, not reported as lost. */
  private resumable = false;
  private over = false;
  /** The person hung up: a drop now ends the session view instead of reconnecting. */
  private hungUp = false;
  /** The browser went offline while this connection was attached: it may not have survived. */
  private offlineWhileAttached = false;
  private attempt = 0;
  /**
   * The `open`, kept (with its secrets) only until the gateway answers it with anything but a
   * drain refusal, so it can be sent again to another replica.
   */
  private unansweredOpen: OpenMessage | undefined;
  private openRetries = 0;
  private retry: { timer: unknown } | undefined;
  private attachDeadline: { timer: unknown } | undefined;
  private queuedInput: Uint8Array<ArrayBuffer>[] = [];
  private queuedBytes = 0;
  private readonly acks: OutputAcks;
  private readonly env: ReconnectEnvironment;
  private readonly stopListening: () => void;

  constructor(
    private readonly url: string,
    start: SessionStart,
    private readonly events: ResumableSessionEvents,
    private readonly options: ResumableSessionOptions = {},
  ) {
    this.env = options.reconnect ?? pageReconnectEnvironment();
    this.acks = new OutputAcks((position) => this.connection?.ack(position), this.env);
    this.stopListening = this.env.onNetworkChange((online) => (online ? this.onOnline() : this.onOffline()));
    if (start.kind === 'open') {
      this.unansweredOpen = start.message;
      this.connect(start.message);
    } else {
      this.sessionId = start.sessionId;
      this.connect(this.attachMessage(null));
    }
  }

  get state(): ResumableSessionState {
    if (this.over) return 'ended';
    const state = this.connection?.state;
    if (state === 'attached') return state;
    if (this.resumable) return 'reconnecting';
    if (this.retry) return 'connecting';
    return state ?? 'ended';
  }

  /** Output bytes handed to the terminal, counted from the session's first byte. */
  get written(): number {
    return this.acks.written;
  }

  /** xterm.js `onData` (text) or `onBinary` (binary) input. */
  sendInput(data: string, kind: 'text' | 'binary'): void {
    if (this.over) return;
    const bytes = inputBytes(data, kind);
    if (this.connection?.sendInput(bytes)) return;
    // Before the shell runs there is nothing to type into; while reconnecting there will be.
    if (!this.resumable) return;
    if (this.queuedBytes + bytes.byteLength > MAX_QUEUED_INPUT_BYTES) {
      this.events.inputDropped(bytes.byteLength);
      return;
    }
    this.queuedInput.push(bytes);
    this.queuedBytes += bytes.byteLength;
  }

  resize(size: TerminalSize): void {
    this.connection?.resize(size);
  }

  answerPrompt(answers: string[]): void {
    this.connection?.answerPrompt(answers);
  }

  decideHostKey(accept: boolean): void {
    this.connection?.decideHostKey(accept);
  }

  /**
   * The person hangs up. Attached, the gateway ends the shell and answers with `exit`. While
   * reconnecting there is nobody to tell: the page stops trying, and the gateway keeps the
   * session for its grace period (it stays in "Your sessions").
   */
  hangUp(): void {
    if (this.over) return;
    const connection = this.connection;
    if (connection?.state === 'attached' || (!this.resumable && connection)) {
      this.hungUp = true;
      connection.hangUp();
      if (connection.state === 'ended') this.end();
      return;
    }
    this.end();
  }

  /** Leaves the session without hearing more from it: hangs up and reports no further events. */
  dispose(): void {
    if (this.over) return;
    this.connection?.dispose();
    this.end();
  }

  private attachMessage(position: number | null): AttachMessage {
    return { type: 'attach', protocol: PROTOCOL_VERSION, sessionId: this.sessionId ?? '', position };
  }

  private connect(first: OpenMessage | AttachMessage) {
    const { connect, watch } = this.options;
    this.connection = new SessionConnection(this.url, first, this.connectionEvents, { connect, watch });
  }

  private readonly connectionEvents: SessionConnectionEvents = {
    output: (bytes) =>
      this.acks.handOverInPieces(bytes, (piece, parsed) => this.events.output(piece, parsed)),
    health: (health) => this.events.health(health),
    authPrompt: (prompt) => {
      this.unansweredOpen = undefined;
      this.events.authPrompt(prompt);
    },
    hostKeyUnknown: (offer) => {
      this.unansweredOpen = undefined;
      this.events.hostKeyUnknown(offer);
    },
    opened: (opened) => {
      this.unansweredOpen = undefined;
      this.offlineWhileAttached = false;
      this.sessionId = opened.sessionId;
      this.resumable = true;
      this.acks.startAt(0);
      this.events.opened(opened);
    },
    attached: (attached) => {
      this.offlineWhileAttached = false;
      this.clearAttachDeadline();
      this.sessionId = attached.sessionId;
      this.resumable = true;
      this.attempt = 0;
      this.acks.startAt(attached.position);
      this.events.attached(attached);
      // After the page's own resize (sent from the event above): the program sees the new size first.
      this.flushQueuedInput();
    },
    exit: (exit) => {
      this.end();
      this.events.exit(exit);
    },
    error: (error) => {
      if (error.code === 'GATEWAY_DRAINING' && this.retryOpen()) return;
      this.unansweredOpen = undefined;
      if (error.fatal) this.end();
      this.events.error(error);
    },
    lost: (lost) => {
      this.unansweredOpen = undefined;
      if (this.resumable && !this.hungUp) return this.scheduleReconnect();
      this.end();
      this.events.lost(lost);
    },
  };

  private flushQueuedInput() {
    const queued = this.queuedInput;
    this.queuedInput = [];
    this.queuedBytes = 0;
    for (const bytes of queued) this.connection?.sendInput(bytes);
  }

  /** Sends the unanswered `open` again after a wait; false when there is none or the tries are spent. */
  private retryOpen(): boolean {
    const open = this.unansweredOpen;
    if (open === undefined || this.openRetries >= MAX_OPEN_RETRIES) return false;
    this.openRetries++;
    this.connection = undefined;
    const delayMs = reconnectDelayMs(this.openRetries, () => this.env.random(), OPEN_RETRY_BACKOFF);
    this.clearRetry();
    this.retry = {
      timer: this.env.setTimeout(() => {
        this.clearRetry();
        this.connect(open);
      }, delayMs),
    };
    this.events.openRetrying({ attempt: this.openRetries, of: MAX_OPEN_RETRIES, delayMs });
    return true;
  }

  /** @param soonMs the wait before the attempt; the backoff's draw unless given */
  private scheduleReconnect(soonMs?: number) {
    this.clearAttachDeadline();
    this.connection = undefined;
    this.attempt++;
    const delayMs = soonMs ?? reconnectDelayMs(this.attempt, () => this.env.random());
    this.retryIn(delayMs);
    this.events.reconnecting({ attempt: this.attempt, delayMs });
  }

  private retryIn(delayMs: number) {
    this.clearRetry();
    this.retry = { timer: this.env.setTimeout(() => this.reconnectNow(), delayMs) };
  }

  private onOffline() {
    if (this.connection?.state === 'attached') this.offlineWhileAttached = true;
  }

  private onOnline() {
    if (this.over) return;
    // Waiting out the backoff would only keep the person waiting. Not from inside the event,
    // though: Chromium fires it before a socket opened there can use the network.
    // (A refused `open` waits its turn: the balancer needs the time to take the replica out.)
    if (this.retry && this.resumable) return this.retryIn(0);
    // A socket that lived through the browser being offline often did not really (a new address,
    // a NAT that forgot it, or frames stalled and never failed), and the watchdog would take a
    // minute to say so. Reattaching costs a few milliseconds and loses no output.
    if (this.offlineWhileAttached && this.connection?.state === 'attached' && !this.hungUp) {
      this.connection.abandon();
      this.scheduleReconnect(0);
    }
  }

  private reconnectNow() {
    this.clearRetry();
    this.connect(this.attachMessage(this.acks.written));
    this.attachDeadline = { timer: this.env.setTimeout(() => this.onAttachTimeout(), ATTACH_TIMEOUT_MS) };
  }

  private onAttachTimeout() {
    this.attachDeadline = undefined;
    this.connection?.abandon();
    this.scheduleReconnect();
  }

  private clearRetry() {
    if (this.retry) this.env.clearTimeout(this.retry.timer);
    this.retry = undefined;
  }

  private clearAttachDeadline() {
    if (this.attachDeadline) this.env.clearTimeout(this.attachDeadline.timer);
    this.attachDeadline = undefined;
  }

  private end() {
    if (this.over) return;
    this.over = true;
    this.unansweredOpen = undefined;
    this.clearRetry();
    this.clearAttachDeadline();
    this.acks.stop();
    this.stopListening();
    this.queuedInput = [];
    this.queuedBytes = 0;
    const connection = this.connection;
    if (connection && connection.state !== 'ended') connection.abandon();
  }
}

/** The page's timers and randomness; network changes are the window's `online` and `offline` events. */
export function pageReconnectEnvironment(win: Window = window): ReconnectEnvironment {
  return {
    setTimeout: (callback, ms) => win.setTimeout(callback, ms),
    clearTimeout: (handle) => win.clearTimeout(handle as number | undefined),
    random: () => Math.random(),
    onNetworkChange(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      return () => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
      };
    },
  };
}
