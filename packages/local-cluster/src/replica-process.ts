import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, stopProcess } from '@vigil/test-processes';
import { stringify } from 'yaml';
import { type ReplicaInput, replicaConfig, replicaEnv } from './replica-config.js';

/** The gateway's entry point in this workspace, as `npm start` runs it. */
const GATEWAY_MAIN = fileURLToPath(new URL('../../../apps/gateway/dist/main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
/** Beyond the gateway's own 10 s limit for closing its sessions. */
const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 100;
const BIND_ATTEMPTS = 5;

export interface Replica {
  name: string;
  url: string;
  pid: number;
  /** Its folder: the generated vigil.yaml, its data folder and gateway.log. */
  dir: string;
  /** Settles when the process has exited, whenever that happens. */
  exited: Promise<void>;
  /**
   * SIGINT: a replica closes its sessions at once, as a shutdown does (SIGTERM would drain them
   * for up to sessions.drainLimit); SIGKILL if it lingers.
   */
  stop(): Promise<void>;
}

/**
 * Starts `node apps/gateway/dist/main.js --config <generated yaml>` on a free loopback port and
 * resolves once its /readyz answers 200. A port taken meanwhile is tried again on another. Its
 * output (pino's JSON lines) goes to gateway.log in its folder, for whoever tries the cluster.
 */
export async function startReplica(
  name: string,
  dir: string,
  input: Omit<ReplicaInput, 'port' | 'dataDir'>,
): Promise<Replica> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const configPath = join(dir, 'vigil.yaml');
  const logPath = join(dir, 'gateway.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = replicaConfig({ ...input, port, dataDir: join(dir, 'data') });
    await writeFile(configPath, `# ${name}, written by scripts/cluster.sh\n${stringify(config)}`, {
      mode: 0o600,
    });
    const log = openSync(logPath, 'a', 0o600);
    const child = spawn(process.execPath, [GATEWAY_MAIN, '--config', configPath], {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...replicaEnv(input) },
    });
    closeSync(log);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const ready = await untilReady(url, child, exited);
    if (ready === 'ready') {
      const stop = () => stopProcess(child, exited, 'SIGINT', STOP_TIMEOUT_MS);
      return { name, url, pid: child.pid ?? 0, dir, exited, stop };
    }
    await stopProcess(child, exited, 'SIGINT', STOP_TIMEOUT_MS);
    const output = await readFile(logPath, 'utf8').catch(() => '');
    const taken = ready === 'exited' && /EADDRINUSE/.test(output.split('\n').slice(-20).join('\n'));
    if (!taken || attempt === BIND_ATTEMPTS) {
      const why = ready === 'exited' ? 'exited' : `was not ready within ${READY_TIMEOUT_MS} ms`;
      throw new Error(`${name} ${why}; the end of ${logPath}:\n${output.split('\n').slice(-40).join('\n')}`);
    }
  }
}

async function untilReady(url: string, child: ChildProcess, exited: Promise<void>) {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) return 'exited';
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return 'ready';
    await sleep(POLL_MS);
  }
  return child.exitCode === null ? 'timed out' : 'exited';
}
