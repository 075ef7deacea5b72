import { execFile } from 'node:child_process';
import { basename } from 'node:path';

/**
 * Runs a program without a shell, bounded by timeoutMs, and resolves with its stdout. A failure
 * carries its stderr, which is what explains it.
 */
export function runCommand(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${basename(file)} failed: ${stderr.trim() || error.message}`, { cause: error }));
    });
  });
}
