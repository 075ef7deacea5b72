import { execFile } from 'node:child_process';
import { basename } from 'node:path';

export interface RunOptions {
  /** Killed (SIGTERM) after this long. @default no limit */
  timeoutMs?: number;
  /** Written to its stdin, which is then closed. */
  input?: string;
  /** Its whole environment. @default the test process's */
  env?: NodeJS.ProcessEnv;
  /** The OS account it runs as. @default the current one */
  account?: { uid: number; gid: number };
}

/**
 * Runs a program without a shell and resolves with its stdout. The error names only the program,
 * not its arguments (ssh-keygen's take a passphrase), and carries its stderr, which is what
 * explains a failure.
 */
export function runCommand(file: string, args: readonly string[], run: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = {
      encoding: 'utf8' as const,
      ...(run.timeoutMs === undefined ? {} : { timeout: Math.max(1, Math.ceil(run.timeoutMs)) }),
      ...(run.env === undefined ? {} : { env: run.env }),
      ...run.account,
    };
    const child = execFile(file, args, options, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${basename(file)} failed: ${stderr.trim() || error.message}`, { cause: error }));
    });
    if (run.input !== undefined) child.stdin?.end(run.input);
  });
}
