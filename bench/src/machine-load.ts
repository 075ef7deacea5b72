import { readFile } from 'node:fs/promises';

/** Machine-wide CPU time from /proc/stat, in clock ticks, and when it was read. */
export interface MachineTicks {
  busy: number;
  total: number;
  at: number;
}

export async function machineTicks(): Promise<MachineTicks> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, x) => sum + x, 0);
  // idle and iowait are the fields that are not work.
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total, at: performance.now() };
}

/** How many cores the whole machine kept busy between two readings (2.0 = both of two cores). */
export function busyCores(from: MachineTicks, to: MachineTicks, cores: number): number {
  const total = to.total - from.total;
  return total === 0 ? 0 : ((to.busy - from.busy) / total) * cores;
}
