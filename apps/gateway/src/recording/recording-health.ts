import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type RecordingPolicy = 'refuse-new' | 'end-sessions' | 'continue';

/** Bytes a probe writes: a folder that takes this much takes a session's first seconds. */
const PROBE_BYTES = 64 * 1024;

/**
 * Writes, syncs and removes a small file in `directory`. Returns why that failed, or undefined
 * when the folder takes writes.
 */
export function probeDirectory(directory: string): string | undefined {
  const path = join(directory, `.vigil-probe-${randomBytes(6).toString('hex')}`);
  let fd: number | undefined;
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    fd = openSync(path, 'wx', 0o600);
    writeSync(fd, Buffer.alloc(PROBE_BYTES));
    fsyncSync(fd);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      // Never created, or already gone.
    }
  }
}

/**
 * Whether recordings can be written, as the gateway last found out. A recording that fails marks
 * them impossible; a new session then probes the folder, so freeing space lets sessions start
 * again without a restart, and a folder still failing gives the reason of the day.
 */
export class RecordingHealth {
  private problem: string | undefined;

  constructor(
    private readonly directory: string,
    readonly policy: RecordingPolicy,
    private readonly probe: (directory: string) => string | undefined = probeDirectory,
  ) {}

  /** A recording could not be written, for `reason`. */
  failed(reason: string): void {
    this.problem = reason;
  }

  /** Why recordings are impossible, or undefined while they are not known to be. */
  get impossible(): string | undefined {
    return this.problem;
  }

  /** Why a new session must not start (the policy refuses while recordings are impossible), or undefined. */
  refusal(): string | undefined {
    if (this.problem === undefined || this.policy === 'continue') return undefined;
    this.problem = this.probe(this.directory);
    return this.problem;
  }
}
