import { readdirSync, readFileSync } from 'node:fs';

/**
 * The pids of the running (not zombie) processes of a process group, from /proc. A zombie has
 * exited and holds nothing; whether someone reaps it is up to whoever is PID 1 here.
 */
export function runningInGroup(groupId: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat !== undefined && stat.group === groupId && stat.state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

/** True while the process exists and has not exited (a zombie has). */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** State and process group from /proc/PID/stat; the command name in parentheses may hold anything. */
function procStat(pid: number): { state: string; group: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const [state, , group] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return state === undefined ? undefined : { state, group: Number(group) };
}
