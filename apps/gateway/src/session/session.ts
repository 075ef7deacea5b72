import { EventEmitter } from 'node:events';
import { type ErrorCode, FLOW_CONTROL, type LiveSession, type ServerMessage } from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { AsciicastRecorder } from '../recording/asciicast-recorder.js';
import type { ShellEnd, SshShell } from '../ssh/ssh-shell.js';
import { channelWindowFor, DrainRate } from './drain-rate.js';
import { type FlowLimits, FlowWindow } from './flow-window.js';
import { ReplayBuffer } from './replay-buffer.js';

/** A browser connection as a session sees it; the session never touches a WebSocket directly. */
export interface Attachment {
  /** Sends terminal bytes; `sent` runs once the socket has taken them. */
  sendOutput(chunk: Buffer, sent: () => void): void;
  send(message: ServerMessage): void;
  /** Bytes accepted by the socket but not yet written to the network. */
  bufferedBytes(): number;
  /** The browser leg's own delay: its shortest measured round trip, in milliseconds (0 before the first). */
  roundTripMs(): number;
  /** Another browser took the session over. */
  takenOver(): void;
}

export interface SessionPolicy {
  /** How long a session without a browser lives on. */
  detachedGraceMs: number;
  /** Close after this long without input or output; 0 = never. */
  idleTimeoutMs: number;
  replayBufferBytes: number;
  /** Pause the channel rather than drop output when the buffer is full. */
  lossless: boolean;
  /** The flow thresholds; capacity and lossless come from the two fields above. */
  flow: Omit<FlowLimits, 'capacity' | 'lossless'>;
}

/** The attached browser as flow control follows it: its own drain rate and last ack. */
interface AttachedPage {
  attachment: Attachment;
  drain: DrainRate;
  lastAck: number;
}

interface SessionEvents {
  end: [end: ShellEnd];
}

/**
 * A shell owned by the gateway. Browsers attach and detach; the session keeps its output,
 * numbered by byte position, so a returning browser gets exactly what it has not seen, and it
 * reads the SSH channel only as fast as the attached browser acknowledges.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly startedAt = Date.now();
  private page: AttachedPage | undefined;
  private readonly output: ReplayBuffer;
  private readonly flowWindow: FlowWindow;
  /** Highest output position a browser has acknowledged as parsed. */
  private acked = 0;
  private reading = true;
  /** The SSH channel window last granted, so it is only changed when the flow window moves it. */
  private channelWindow = 0;
  private graceTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastActivity = performance.now();
  /** Keystrokes and pastes forwarded to the target. */
  inputBytes = 0;
  ended: ShellEnd | undefined;
  /** The gateway user who ended this session through the sessions API, if one did. */
  endedBy: string | undefined;
  /** Settles once the session has ended and its recording is complete on disk. */
  readonly finished: Promise<void>;

  /** Who opened it (see ownerOf); only this owner may attach. */
  readonly owner: string;
  /** The address of the browser that opened it. */
  readonly source: string;

  constructor(
    readonly id: string,
    who: { owner: string; source: string },
    readonly target: string,
    readonly username: string,
    readonly shell: SshShell,
    readonly log: FastifyBaseLogger,
    private readonly policy: SessionPolicy,
    private readonly recorder: AsciicastRecorder | undefined,
  ) {
    super();
    this.owner = who.owner;
    this.source = who.source;
    this.output = new ReplayBuffer(policy.replayBufferBytes);
    this.flowWindow = new FlowWindow({
      ...policy.flow,
      capacity: policy.replayBufferBytes,
      lossless: policy.lossless,
    });
    shell.on('data', (chunk) => this.onOutput(chunk));
    recorder?.on('drain', () => this.updateFlow());
    this.armIdleTimer();
    this.finished = new Promise((resolve) => {
      shell.once('end', (end) => {
        clearTimeout(this.graceTimer);
        clearTimeout(this.idleTimer);
        this.ended = end;
        this.emit('end', end);
        if (!recorder) return resolve();
        recorder
          .close()
          .catch((error: unknown) =>
            log.error({ err: error, path: recorder.path }, 'recording could not be completed'),
          )
          .finally(resolve);
      });
    });
  }

  get attached(): boolean {
    return this.page !== undefined;
  }

  /** Flow control towards the attached page, as administrators see it; null while detached. */
  get flow(): LiveSession['flow'] {
    const page = this.page;
    if (!page) return null;
    return {
      windowBytes: page.drain.window(page.attachment.roundTripMs()),
      unackedBytes: this.output.end - this.acked,
      channelWindowBytes: this.channelWindow,
      drainBytesPerSecond: page.drain.bytesPerSecond ?? null,
    };
  }

  /** Every output byte the shell has produced so far. */
  get outputPosition(): number {
    return this.output.end;
  }

  /** Activity only moves a timestamp; the timer re-arms itself lazily, so floods cost nothing. */
  private armIdleTimer() {
    const { idleTimeoutMs } = this.policy;
    if (idleTimeoutMs <= 0) return;
    const due = this.lastActivity + idleTimeoutMs - performance.now();
    this.idleTimer = setTimeout(
      () => {
        if (performance.now() - this.lastActivity >= idleTimeoutMs)
          this.close('idle timeout', 'IDLE_TIMEOUT');
        else this.armIdleTimer();
      },
      Math.max(0, due),
    );
    this.idleTimer.unref();
  }

  private onOutput(chunk: Buffer) {
    this.lastActivity = performance.now();
    this.recorder?.recordOutput(chunk);
    this.output.append(chunk);
    this.output.trim(this.policy.lossless ? this.acked : this.output.end);
    this.page?.attachment.sendOutput(chunk, () => this.updateFlow());
    this.updateFlow();
  }

  private updateFlow() {
    const page = this.page;
    const window = page ? page.drain.window(page.attachment.roundTripMs()) : FLOW_CONTROL.initialWindow;
    if (page) this.grantChannelWindow(channelWindowFor(window));
    const reading = this.flowWindow.update({
      attached: page !== undefined,
      unacked: this.output.end - this.acked,
      window,
      socketBuffered: page?.attachment.bufferedBytes() ?? 0,
      recordingBacklog: this.recorder?.backlog() ?? 0,
    });
    if (reading === this.reading) return;
    this.reading = reading;
    if (reading) this.shell.resume();
    else this.shell.pause();
  }

  /** What the server may send after a pause follows the page: a slow page gets a small window. */
  private grantChannelWindow(bytes: number) {
    if (bytes === this.channelWindow) return;
    this.channelWindow = bytes;
    this.shell.setReceiveWindow(bytes);
  }

  /**
   * Attaches a browser that has written `position` output bytes (null: a fresh page, give it
   * what is held). Sends `attached` then the missed bytes. A previous browser is taken over.
   */
  attach(attachment: Attachment, position: number | null, kind: 'opened' | 'attached'): void {
    const previous = this.page;
    this.page = undefined;
    previous?.attachment.takenOver();
    clearTimeout(this.graceTimer);
    const from = Math.min(position ?? this.output.start, this.output.end);
    const replay = this.output.readFrom(from);
    this.acked = Math.max(this.acked, from);
    // Each page is measured afresh: the next one may be another machine, or a frozen tab.
    this.page = { attachment, drain: new DrainRate(FLOW_CONTROL, () => performance.now()), lastAck: from };
    if (kind === 'opened') {
      attachment.send({ type: 'opened', sessionId: this.id, target: this.target, username: this.username });
    } else {
      const lostBytes = position === null ? 0 : replay.lost;
      if (lostBytes > 0) this.log.warn({ lostBytes }, 'output was dropped while no browser was attached');
      attachment.send({
        type: 'attached',
        sessionId: this.id,
        target: this.target,
        username: this.username,
        position: replay.position,
        lostBytes,
      });
    }
    for (const chunk of replay.chunks) attachment.sendOutput(chunk, () => this.updateFlow());
    this.updateFlow();
  }

  /**
   * The attached browser has parsed output up to `position`.
   * @returns why the ack is refused (it claims bytes never sent, or goes back), or undefined
   */
  ack(attachment: Attachment, position: number): string | undefined {
    const page = this.page;
    if (page?.attachment !== attachment) return undefined;
    if (position > this.output.end) return `ack beyond the output sent (${position} > ${this.output.end})`;
    if (position < page.lastAck) return `ack before an earlier one (${position} < ${page.lastAck})`;
    page.lastAck = position;
    page.drain.acked(position, this.output.end);
    this.acked = Math.max(this.acked, position);
    this.updateFlow();
    return undefined;
  }

  /** The browser went away: keep the shell for the grace period, buffering its output. */
  detach(attachment: Attachment): void {
    if (this.page?.attachment !== attachment || this.ended) return;
    this.page = undefined;
    this.updateFlow();
    this.graceTimer = setTimeout(
      () => this.close('no browser came back within the grace period'),
      this.policy.detachedGraceMs,
    );
    this.graceTimer.unref();
  }

  input(data: Buffer): void {
    this.inputBytes += data.length;
    this.lastActivity = performance.now();
    this.recorder?.recordInput(data);
    this.shell.write(data);
  }

  resize(cols: number, rows: number): void {
    this.recorder?.recordResize(cols, rows);
    this.shell.resize(cols, rows);
  }

  /** Ends the session cleanly; `reason` is recorded in the log (and the audit trail). */
  close(reason: string, code?: ErrorCode): void {
    this.shell.close(reason, code);
  }

  /** Ended on request of a gateway user; `asSeenByOwner` is how the owner's browser names them. */
  endBy(name: string, asSeenByOwner: string): void {
    this.endedBy ??= name;
    this.shell.close(`ended by ${name}`, 'SESSION_ENDED', { reason: asSeenByOwner });
  }
}
