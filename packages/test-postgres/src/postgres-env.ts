import { type RunOptions, runCommand } from '@vigil/test-processes';

/**
 * The environment of every PostgreSQL program the fixture runs: PGHOST, PGDATABASE, PGOPTIONS
 * and the like from the developer's shell must not reach them, and the C locale keeps initdb's
 * output and the server's messages the same on every machine.
 */
export function postgresEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

/** A PostgreSQL program (initdb, createdb, pg_isready) in postgresEnv(), bounded by `timeoutMs`. */
export function runPostgresProgram(
  file: string,
  args: readonly string[],
  run: Omit<RunOptions, 'env'> & { timeoutMs: number },
): Promise<string> {
  return runCommand(file, args, { ...run, env: postgresEnv() });
}
