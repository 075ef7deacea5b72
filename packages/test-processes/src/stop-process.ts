import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` (the program's own clean stop), then SIGKILL if it is still there after
 * `timeoutMs`, and resolves once it has exited. `exited` settles when it exits, whenever that is.
 */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<void>,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  if (await Promise.race([exited.then(() => false), timedOut])) {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
