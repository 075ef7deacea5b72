import { ms } from './figure.js';

/** Cumulative `vigil_heartbeat_rtt_seconds` bucket counts of the ssh leg, by upper bound. */
export async function rttBuckets(url: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('vigil_heartbeat_rtt_seconds_bucket{') || !line.includes('leg="ssh"')) continue;
    const le = line.match(/le="([^"]+)"/)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le !== undefined) buckets.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value);
  }
  return buckets;
}

/** The bucket bound under which 99 % of the round trips between two scrapes fell. */
export function histogramP99(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return 'no samples';
  const bound = bounds.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= 0.99 * total);
  return bound === undefined || bound === Number.POSITIVE_INFINITY ? '> 5 s' : `≤ ${ms(bound * 1000)}`;
}

/** Round trips the gateway recorded between two scrapes (the histogram's count). */
export function roundTrips(before: Map<number, number>, after: Map<number, number>): number {
  const all = Number.POSITIVE_INFINITY;
  return (after.get(all) ?? 0) - (before.get(all) ?? 0);
}
