import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';
import { browserCookieOf, TEST_CLUSTER_SECRET } from './gateway-under-test.js';
import { ProtocolClient } from './protocol-client.js';

/** The built CLI, as an operator runs it. */
const VIGIL = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;

/** One log line of the gateway (pino JSON). */
export interface LogLine {
  msg: string;
  [field: string]: unknown;
}

export interface GatewayProcess {
  baseUrl: string;
  wsUrl: string;
  child: ChildProcess;
  /** The exit status once the process has exited (null when a signal killed it). */
  exited: Promise<number | null>;
  /** Every JSON line logged so far. */
  log: LogLine[];
  connect(headers?: Record<string, string>): Promise<ProtocolClient>;
  /** A fresh browser identity: the cookie header a page would carry after loading. */
  browserCookie(): Promise<string>;
  signal(signal: NodeJS.Signals): void;
  /** Kills what is still running and removes the data folder (unless the test gave its own). */
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Added to its environment (the S3 credentials). */
  env?: Record<string, string>;
  /** Its data folder, kept at stop(), so that a restart finds what the last run left there. */
  dataDir?: string;
}

/**
 * `node dist/main.js --config FILE` in a child process, as an operator starts it, so signals
 * and the exit status are the real ones. `config` is written as JSON (YAML accepts it);
 * `dataDir` is a fresh folder unless given.
 */
export async function startGatewayProcess(
  config: Record<string, unknown>,
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-process-'));
  const file = join(dir, 'vigil.yaml');
  const dataDir = options.dataDir ?? join(dir, 'data');
  await writeFile(file, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, dataDir, ...config }), {
    mode: 0o600,
  });
  // With a database it is a cluster replica, which needs the tests' shared secret.
  const child = spawn(process.execPath, [VIGIL, '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_CLUSTER_SECRET: TEST_CLUSTER_SECRET, ...options.env },
  });
  const log: LogLine[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const entry = JSON.parse(line) as LogLine;
        log.push(entry);
        const url = entry.msg.match(LISTENING)?.[1];
        if (url) resolve(url);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    void exited.then((code) =>
      reject(new Error(`the gateway exited with ${code} before listening: ${stderr}`)),
    );
  });
  // Listening comes before joining the cluster; ready means it takes sessions.
  await eventually(
    'the gateway to be ready',
    async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok === true,
    30_000,
  );
  const clients: ProtocolClient[] = [];
  const wsUrl = `${baseUrl.replace('http', 'ws')}/ws`;
  return {
    baseUrl,
    wsUrl,
    child,
    exited,
    log,
    signal: (signal) => child.kill(signal),
    async connect(headers) {
      const client = await ProtocolClient.connect(wsUrl, headers);
      clients.push(client);
      return client;
    },
    browserCookie: () => browserCookieOf(baseUrl),
    async stop() {
      for (const client of clients) client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
