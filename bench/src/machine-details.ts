import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MachineDetails {
  /** The commit measured, and whether the gateway's code differed from it (people work in this tree). */
  vigil: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  openssh: string;
  /** ssh(1), the throughput baseline. */
  opensshClient: string;
  ssh2: string;
  chromium: string;
  kernel: string;
  /**
   * 1, 5 and 15 minutes at the start of each run: anything else running (other people's tests)
   * is noise in every figure. The bench's runner adds one per run.
   */
  loadAverages: string[];
  date: string;
}

async function cpuDescription(): Promise<string> {
  const model = cpus()[0]?.model.trim() ?? 'unknown';
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
    const guest = /^flags\s*:.*\bhypervisor\b/m.test(info) ? ', virtual machine' : '';
    return `${model} (family ${field('cpu family')}, model ${field('model')}${guest})`;
  } catch {
    return model;
  }
}

async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 10_000 });
    return (stdout || stderr).split('\n')[0]?.trim() || 'unknown';
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

async function vigilRevision(): Promise<string> {
  try {
    const git = (args: string[]) => run('git', ['-C', REPO, ...args], { timeout: 10_000 });
    const commit = (await git(['log', '-1', '--format=%h %s'])).stdout.trim();
    const changed = (await git(['status', '--porcelain', '--', 'apps/gateway', 'packages'])).stdout.trim();
    return changed === '' ? commit : `${commit} (plus uncommitted changes to the gateway or packages)`;
  } catch {
    return 'unknown (no git)';
  }
}

/** sshd's own words (-V, on stderr) and, where dpkg knows it, the distribution's package version. */
async function opensshVersion(): Promise<string> {
  const own = await versionOf('/usr/sbin/sshd', ['-V']);
  // `dpkg-query -W` prints "openssh-server<TAB>9.2p1-2+deb12u10".
  const packaged = await versionOf('dpkg-query', ['-W', 'openssh-server']);
  if (packaged.startsWith('unavailable')) return own;
  return `${own} (Debian package ${packaged.replace('\t', ' ')})`;
}

/** The 1, 5 and 15 minute load averages now. */
export function loadAverageNow(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

/** What a figure depends on: the hardware and the versions of every program in the path. */
export async function machineDetails(chromium: string): Promise<MachineDetails> {
  const require = createRequire(import.meta.url);
  const ssh2Version = (require('ssh2/package.json') as { version: string }).version;
  // pnpm installs a patched dependency under a directory named with the patch's hash.
  const ssh2Patched = require.resolve('ssh2').includes('patch_hash=');
  return {
    vigil: await vigilRevision(),
    cpu: await cpuDescription(),
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    openssh: await opensshVersion(),
    opensshClient: await versionOf('ssh', ['-V']),
    ssh2: ssh2Patched ? `${ssh2Version}, with the workspace's patch (patches/)` : ssh2Version,
    chromium: await versionOf(chromium, ['--version']),
    kernel: release(),
    loadAverages: [],
    date: new Date().toISOString(),
  };
}
