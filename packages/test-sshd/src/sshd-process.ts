import { type ChildProcess, spawn } from 'node:child_process';
import { LogTail } from '@vigil/test-processes';
import { SSHD_PATH } from './requirements.js';
import { readSshBanner } from './ssh-banner.js';

export interface SshdProcess {
  child: ChildProcess;
  pid: number;
  log(): string;
  /** Settles when the listener has exited, whenever that happens. */
  exited: Promise<void>;
}

/** sshd could not bind its port because someone took it after we picked it; try another. */
export class PortTakenError extends Error {}

/**
 * Starts the listener in the foreground (-D) with its log on stderr (-e), and resolves once it
 * both says it listens and answers with an SSH-2.0 banner.
 */
export async function launchSshd(configPath: string, port: number, timeoutMs: number): Promise<SshdProcess> {
  const deadline = Date.now() + timeoutMs;
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const tail = new LogTail();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = `Server listening on 127.0.0.1 port ${port}.`;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sshd did not listen within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.once('error', reject);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        if (tail.write(chunk).some((line) => line.includes(listening))) {
          clearTimeout(timer);
          resolve();
        }
      });
      // 'close' rather than 'exit': it waits for the last of stderr, which holds the reason. The
      // pipe is shared with connection processes only later, once it listens.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const exit = signal ?? `exit code ${code}`;
        const taken = tail.text().includes('Address already in use');
        reject(
          taken
            ? new PortTakenError(`port ${port} is taken`)
            : new Error(`sshd exited before listening (${exit})`),
        );
      });
    });
    const banner = await readSshBanner('127.0.0.1', port, Math.max(deadline - Date.now(), 1));
    if (!banner.startsWith('SSH-2.0-')) throw new Error(`unexpected banner from sshd: ${banner}`);
  } catch (error) {
    child.kill('SIGKILL');
    if (error instanceof PortTakenError) throw error;
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nsshd log:\n${tail.text()}`, {
      cause: error,
    });
  }
  return { child, pid: child.pid!, log: () => tail.text(), exited };
}
