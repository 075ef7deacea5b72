import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogTail } from '@vigil/test-processes';

/** The built gateway, run as production runs it. */
const MAIN = new URL('../../dist/main.js', import.meta.url);

export interface GatewayProcess {
  pid: number;
  baseUrl: string;
  wsUrl: string;
  /** Settles when the process has exited. */
  exited: Promise<void>;
  /** kill -9: no shutdown, no flush, as a crash or the OOM killer ends it. */
  crash(): Promise<void>;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
}

export interface GatewayExit {
  code: number | null;
  /** What it printed on stderr, where `vigil:` reasons go. */
  stderr: string;
}

/**
 * Runs `vigil --config FILE` (dist/main.js) in a child process, `config` written as the file
 * (JSON is YAML) and `env` added to the environment, and resolves once it listens — or with its
 * exit when it stops before that (a start-up that fails).
 */
export async function runGatewayProcess(
  config: Record<string, unknown>,
  env: Record<string, string>,
): Promise<GatewayProcess | GatewayExit> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-process-'));
  const configFile = join(dir, 'vigil.yaml');
  await writeFile(configFile, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...config }));
  const child = spawn(process.execPath, [MAIN.pathname, '--config', configFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = new LogTail(100);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.write(chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve())).finally(() =>
    rm(dir, { recursive: true, force: true }),
  );
  const port = await listeningPort(child, exited);
  if (port === undefined) return { code: child.exitCode, stderr: stderr.text() };
  child.stdout?.resume();
  return {
    pid: child.pid ?? 0,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    exited,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** fastify logs "Server listening at http://127.0.0.1:PORT" (JSON lines on stdout) once it listens. */
function listeningPort(child: ChildProcess, exited: Promise<void>): Promise<number | undefined> {
  return new Promise((resolve) => {
    let buffered = '';
    const onData = (chunk: string) => {
      buffered += chunk;
      const port = buffered.match(/Server listening at http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
      if (port === undefined) return;
      child.stdout?.off('data', onData);
      resolve(Number(port));
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    void exited.then(() => resolve(undefined));
  });
}

export function isRunning(gateway: GatewayProcess | GatewayExit): gateway is GatewayProcess {
  return 'pid' in gateway;
}
