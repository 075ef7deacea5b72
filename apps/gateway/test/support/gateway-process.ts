import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, LogTail } from '@vigil/test-processes';
import { eventually } from './eventually.js';
import { TEST_CLUSTER_SECRET } from './gateway-under-test.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface GatewayProcess {
  pid: number;
  baseUrl: string;
  wsUrl: string;
  /** Its stdout and stderr, last lines. */
  log(): string;
  /** Resolves with the exit code (null when killed by a signal) once it exited. */
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
  /** Kills it if still running and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * The gateway as production runs it (compiled, its own process, `--config`), for faults that
 * need a process of its own: kill -9, SIGSTOP, SIGTERM. With a database it gets the tests'
 * cluster secret in its environment.
 */
export async function startGatewayProcess(config: Record<string, unknown>): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-process-'));
  const port = await freePort();
  const configPath = join(dataDir, 'vigil.yaml');
  // JSON is YAML: the config as the test wrote it.
  await writeFile(configPath, JSON.stringify({ listen: { host: '127.0.0.1', port }, dataDir, ...config }));
  const child: ChildProcess = spawn(process.execPath, [MAIN, '--config', configPath], {
    env: { ...process.env, VIGIL_CLUSTER_SECRET: TEST_CLUSTER_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new LogTail(300);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => tail.write(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      `the gateway process on port ${port} to be ready`,
      async () => {
        if (!running) throw new Error(`the gateway process exited:\n${tail.text()}`);
        return (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok === true;
      },
      30_000,
    );
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    pid: child.pid ?? 0,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => tail.text(),
    exited,
    signal: (signal) => child.kill(signal),
    async stop() {
      if (running) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
