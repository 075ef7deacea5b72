import { type ChildProcess, spawn } from 'node:child_process';
import { basename } from 'node:path';
import { LogTail } from '@vigil/test-processes';

export interface CephDaemon {
  /** `mon.a`, `osd.0`, `client.rgw`: Ceph's own name, also in its log file's name. */
  name: string;
  child: ChildProcess;
  /** What the daemon printed on stderr (start-up errors); the rest is in its log file. */
  stderr(): string;
  /** Settles when the daemon has exited, whenever that happens. */
  exited: Promise<void>;
  hasExited(): boolean;
}

/** Starts a Ceph daemon in the foreground (-f), so it stays our child and dies with a signal to it. */
export function launchCephDaemon(program: string, name: string, args: readonly string[]): CephDaemon {
  const child = spawn(program, ['-f', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const tail = new LogTail(200);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => tail.write(chunk));
  let done = false;
  const exited = new Promise<void>((resolve) => {
    // 'close' rather than 'exit': it waits for the last of stderr, which holds the reason.
    child.once('close', () => {
      done = true;
      resolve();
    });
    child.once('error', (error) => {
      tail.write(`${basename(program)}: ${error.message}\n`);
      done = true;
      resolve();
    });
  });
  return { name, child, stderr: () => tail.text(), exited, hasExited: () => done };
}
