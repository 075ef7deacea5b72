import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { ErrorCode, ErrorDetails } from '@vigil/protocol';
import type { Client, ClientChannel } from 'ssh2';
import type { HeartbeatLoop } from '../heartbeat/heartbeat-loop.js';
import { SshFailure, toSshFailure } from './ssh-failure.js';

/** How a shell ended: the remote program exited, the connection failed, or Vigil closed it. */
export type ShellEnd =
  | { kind: 'exit'; code: number | null; signal: string | null }
  | { kind: 'failure'; failure: SshFailure }
  /** Closed by Vigil, for the recorded reason; `code` (and its details) when the browser should be told why. */
  | { kind: 'closed'; reason: string; code?: ErrorCode; details?: ErrorDetails };

interface ShellEvents {
  data: [chunk: Buffer];
  end: [end: ShellEnd];
}

/** A running PTY shell on one SSH connection; the session layer sees only this, never ssh2. */
export class SshShell extends EventEmitter<ShellEvents> {
  private exit: ShellEnd | undefined;
  private ended = false;

  constructor(
    private readonly client: Client,
    private readonly channel: ClientChannel,
    private readonly socket: Socket,
    /** The server-alive heartbeat of this connection. */
    readonly heartbeat: HeartbeatLoop,
    where: ErrorDetails,
    /** Whether kernel TCP keepalive is on for the socket. */
    readonly tcpKeepAlive: boolean,
  ) {
    super();
    heartbeat.once('timeout', () => {
      // The path is dead: a polite SSH disconnect would never arrive, so drop the socket.
      this.finish({ kind: 'failure', failure: new SshFailure('KEEPALIVE_TIMEOUT', where) });
      socket.destroy();
    });
    channel.on('data', (chunk: Buffer) => this.emit('data', chunk));
    // With a PTY the remote merges stderr into the terminal; anything still sent apart is shown too.
    channel.stderr.on('data', (chunk: Buffer) => this.emit('data', chunk));
    channel.on('exit', (code: number | null, signal?: string) => {
      this.exit = { kind: 'exit', code: typeof code === 'number' ? code : null, signal: signal ?? null };
    });
    channel.on('close', () => {
      this.finish(this.exit ?? { kind: 'closed', reason: 'the server closed the channel' });
      client.end();
    });
    client.on('error', (error) => this.finish({ kind: 'failure', failure: toSshFailure(error, where) }));
    client.on('close', () =>
      this.finish(
        this.exit ?? { kind: 'failure', failure: toSshFailure(new Error('connection closed'), where) },
      ),
    );
  }

  private finish(end: ShellEnd) {
    if (this.ended) return;
    this.ended = true;
    this.heartbeat.stop();
    this.emit('end', end);
  }

  write(data: Buffer): void {
    if (!this.ended) this.channel.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.ended) this.channel.setWindow(rows, cols, 0, 0);
  }

  /** Stops reading the channel: the SSH window fills and the remote program waits, losing nothing. */
  pause(): void {
    this.channel.pause();
  }

  resume(): void {
    this.channel.resume();
  }

  /**
   * How much the server may send beyond what has been read: while paused, at most this more
   * arrives (the workspace's ssh2 patch stops granting window to a paused channel).
   */
  setReceiveWindow(bytes: number): void {
    this.channel.setIncomingWindow(bytes);
  }

  close(reason: string, code?: ErrorCode, details?: ErrorDetails): void {
    this.finish(
      this.exit ?? { kind: 'closed', reason, ...(code ? { code } : {}), ...(details ? { details } : {}) },
    );
    this.channel.close();
    this.client.end();
    // A peer that stopped answering would hold the socket open; the polite end above had its chance.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
