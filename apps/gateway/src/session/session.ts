import { EventEmitter } from 'node:events';
import type { ServerMessage } from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { ShellEnd, SshShell } from '../ssh/ssh-shell.js';

/** A browser connection as a session sees it; the session never touches a WebSocket directly. */
export interface Attachment {
  /** Sends terminal bytes; `sent` runs once they left the process (the socket took them). */
  sendOutput(chunk: Buffer, sent: () => void): void;
  send(message: ServerMessage): void;
  /** Bytes accepted but not yet written to the network. */
  bufferedBytes(): number;
  end(): void;
}

/**
 * Above this much unsent output the SSH channel is paused, so a slow browser makes the remote
 * program wait instead of growing the gateway's memory; below the low mark reading resumes.
 */
export const SOCKET_HIGH_WATERMARK = 1024 * 1024;
export const SOCKET_LOW_WATERMARK = 256 * 1024;

interface SessionEvents {
  end: [end: ShellEnd];
}

/**
 * A shell owned by the gateway. Its id outlives any one WebSocket: browsers attach and detach,
 * and the output position counts every byte the shell produced, ready for replay.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly startedAt = Date.now();
  private attachment: Attachment | undefined;
  private paused = false;
  /** Bytes of output the shell has produced so far: the position a browser will resume from. */
  outputPosition = 0;
  ended: ShellEnd | undefined;

  constructor(
    readonly id: string,
    readonly target: string,
    readonly username: string,
    readonly shell: SshShell,
    readonly log: FastifyBaseLogger,
  ) {
    super();
    shell.on('data', (chunk) => this.onOutput(chunk));
    shell.once('end', (end) => {
      this.ended = end;
      this.emit('end', end);
    });
  }

  private onOutput(chunk: Buffer) {
    this.outputPosition += chunk.length;
    const attachment = this.attachment;
    if (!attachment) return;
    attachment.sendOutput(chunk, () => this.maybeResume(attachment));
    if (!this.paused && attachment.bufferedBytes() > SOCKET_HIGH_WATERMARK) {
      this.paused = true;
      this.shell.pause();
    }
  }

  private maybeResume(attachment: Attachment) {
    if (this.paused && attachment.bufferedBytes() < SOCKET_LOW_WATERMARK) {
      this.paused = false;
      this.shell.resume();
    }
  }

  attach(attachment: Attachment): void {
    this.attachment = attachment;
  }

  /** Until reattach exists, a session without a browser has no one to serve and is closed. */
  detach(attachment: Attachment): void {
    if (this.attachment !== attachment) return;
    this.attachment = undefined;
    if (this.paused) {
      this.paused = false;
      this.shell.resume();
    }
    this.close();
  }

  input(data: Buffer): void {
    this.shell.write(data);
  }

  resize(cols: number, rows: number): void {
    this.shell.resize(cols, rows);
  }

  close(): void {
    this.shell.close();
  }
}
