import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type { ServerAccount } from './requirements.js';

/**
 * The environment of every PostgreSQL program the fixture runs: PGHOST, PGDATABASE, PGOPTIONS
 * and the like from the developer's shell must not reach them, and the C locale keeps initdb's
 * output and the server's messages the same on every machine.
 */
export function postgresEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

export interface RunOptions {
  /** Who runs it. @default the current user */
  account?: ServerAccount | undefined;
  /** Killed (SIGTERM) after this long. */
  timeoutMs: number;
}

/**
 * Runs a program without a shell and resolves with its stdout. The error names the program and
 * carries its stderr, which is what explains a failure.
 */
export function runCommand(file: string, args: readonly string[], run: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const timeout = Math.max(1, Math.ceil(run.timeoutMs));
    const options = { encoding: 'utf8' as const, env: postgresEnv(), timeout, ...run.account };
    execFile(file, args, options, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${basename(file)} failed: ${stderr.trim() || error.message}`, { cause: error }));
    });
  });
}
