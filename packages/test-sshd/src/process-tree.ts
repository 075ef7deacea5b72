import { readdir, readFile } from 'node:fs/promises';

export interface ProcessEntry {
  pid: number;
  parentPid: number;
  /** The kernel's name for it (`comm`): the executable's, not the title sshd sets with setproctitle. */
  command: string;
  state: string;
  /** Clock ticks after boot; with the pid, identifies the process even once its pid is reused. */
  startTime: string;
}

/** Every live process below rootPid, parents before children. Zombies are left out: they hold nothing. */
export async function descendantsOf(rootPid: number): Promise<ProcessEntry[]> {
  const childrenOf = new Map<number, ProcessEntry[]>();
  for (const entry of await processTable()) {
    childrenOf.set(entry.parentPid, [...(childrenOf.get(entry.parentPid) ?? []), entry]);
  }
  const found: ProcessEntry[] = [];
  const queue = [...(childrenOf.get(rootPid) ?? [])];
  for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
    found.push(entry);
    queue.push(...(childrenOf.get(entry.pid) ?? []));
  }
  return found.filter((entry) => entry.state !== 'Z' && entry.state !== 'X');
}

/**
 * Stops everything below rootPid with SIGSTOP, looking again until nothing new appears: a running
 * process can fork between one look and the next, and a stopped one cannot.
 */
export async function freezeDescendants(rootPid: number): Promise<ProcessEntry[]> {
  const frozen = new Map<number, ProcessEntry>();
  for (let look = 0; look < 20; look++) {
    const found = (await descendantsOf(rootPid)).filter((entry) => !frozen.has(entry.pid));
    if (found.length === 0) break;
    for (const entry of found) {
      signal(entry.pid, 'SIGSTOP');
      frozen.set(entry.pid, entry);
    }
  }
  return [...frozen.values()];
}

/** SIGKILL, which also ends a stopped process, sent only if the pid still names the same process. */
export async function killProcesses(entries: readonly ProcessEntry[]): Promise<void> {
  await Promise.all(
    entries.map(async (entry) => {
      const now = await readStat(entry.pid);
      if (now?.startTime === entry.startTime) signal(entry.pid, 'SIGKILL');
    }),
  );
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone: the only way a signal to our own child processes fails when we are root.
  }
}

async function processTable(): Promise<ProcessEntry[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(pids.map(readStat));
  return entries.filter((entry) => entry !== undefined);
}

async function readStat(pid: number): Promise<ProcessEntry | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we were looking
  }
  // comm is in parentheses and may itself contain spaces and parentheses; the last ')' ends it.
  const commEnd = stat.lastIndexOf(')');
  const fields = stat.slice(commEnd + 2).split(' ');
  return {
    pid,
    parentPid: Number(fields[1]),
    command: stat.slice(stat.indexOf('(') + 1, commEnd),
    state: fields[0] ?? '',
    startTime: fields[19] ?? '',
  };
}
