import { execFile } from 'node:child_process';
import { basename } from 'node:path';

/**
 * Runs a program without a shell and resolves with its stdout. The error names only the program,
 * not its arguments (ssh-keygen's take a passphrase), and carries its stderr, which is what
 * explains a failure.
 */
export function runCommand(file: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${basename(file)} failed: ${stderr.trim() || error.message}`, { cause: error }));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
