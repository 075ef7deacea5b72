#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Config, ConfigError, defaultConfig, parseConfig } from '@vigil/gateway';
import { clusterDown } from './cluster-down.js';
import { clusterFolder } from './cluster-folder.js';
import { superviseCluster } from './cluster-supervisor.js';
import { ClusterUpError, clusterUp } from './cluster-up.js';

const USAGE = `Usage: scripts/cluster.sh up [--config FILE] [--replicas N]
       scripts/cluster.sh down

  up     starts PostgreSQL, Ceph RGW (S3), N gateway replicas (default 3) and HAProxy on
         127.0.0.1, all state in one folder, and prints one JSON line per part
  down   stops them all and removes the folder
  --config FILE   the gateway config whose targets (and sign-in, if any) every replica serves
                  (default: the embedded one, this machine's sshd)

The folder is $VIGIL_CLUSTER_DIR, else <tmp>/vigil-cluster.
`;

class UsageError extends Error {}

interface UpArguments {
  configPath: string | undefined;
  replicas: number;
}

function parseUpArguments(args: readonly string[]): UpArguments {
  let configPath: string | undefined;
  let replicas = 3;
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if ((args[i] === '--config' || args[i] === '-c') && value !== undefined) configPath = resolve(value);
    else if (args[i] === '--replicas') {
      if (value === undefined || !/^[1-9]$/.test(value)) throw new UsageError('--replicas takes 1 to 9');
      replicas = Number(value);
    } else throw new UsageError(`unexpected argument: ${args[i]}`);
    i++;
  }
  return { configPath, replicas };
}

/** The person's config, validated as the gateway validates it, so a mistake names file and line. */
async function loadSource(configPath: string | undefined): Promise<Config> {
  if (configPath === undefined) return defaultConfig(resolve('data'));
  return parseConfig(await readFile(configPath, 'utf8'), configPath, dirname(configPath));
}

/** `supervise` takes the same arguments as `up`, which passes them on, absolute. */
function supervisorArgs({ configPath, replicas }: UpArguments): string[] {
  return [...(configPath === undefined ? [] : ['--config', configPath]), '--replicas', String(replicas)];
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const folder = clusterFolder(process.env);
  if (command === 'up' || command === 'supervise') {
    const parsed = parseUpArguments(rest);
    const source = await loadSource(parsed.configPath);
    if (command === 'supervise') {
      await superviseCluster(folder, source, parsed.replicas);
      return 0;
    }
    process.stdout.write(await clusterUp(folder, supervisorArgs(parsed)));
    return 0;
  }
  if (command === 'down' && rest.length === 0) {
    const wasUp = await clusterDown(folder);
    process.stderr.write(
      wasUp ? `cluster in ${folder.dir} stopped\n` : `no cluster was up in ${folder.dir}\n`,
    );
    return 0;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  throw new UsageError(command === undefined ? 'give up or down' : `unknown command: ${command}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`cluster: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(USAGE);
      process.exit(2);
    }
    if (error instanceof ClusterUpError) {
      process.stderr.write(`cluster: ${error.message}\n`);
      process.exit(1);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cluster: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
    // Once more, last: a fixture's message carries pages of daemon log after its first line,
    // and \`up\` shows the end of the log.
    process.stderr.write(`cluster: failed: ${message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
