import type { SshdFixture } from '@vigil/test-sshd';
import { type BenchClient, openBenchSession } from './bench-client.js';
import { type TerminalStream, waitForOutput } from './terminal-stream.js';

const PROMPT_TIMEOUT_MS = 60_000;

/** Runs `task` for 0..count-1, at most `concurrency` at a time; the first error stops new starts. */
export async function inBatches<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        results[index] = await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // Settle every worker before reporting, so nothing is still opening when the caller cleans up.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, count) }, worker));
  const rejected = settled.find((outcome) => outcome.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}

/** The shell has printed its prompt (bash's ends in "$ "), so the session is idle. */
export function atPrompt(stream: TerminalStream): Promise<void> {
  return waitForOutput(stream, '$ ', PROMPT_TIMEOUT_MS);
}

/**
 * Opens `count` sessions through the gateway, `concurrency` at a time (sshd's MaxStartups is
 * raised above it), each waiting at its prompt. If one fails, all opened so far are closed.
 */
export async function openIdleSessions(
  wsUrl: string,
  target: string,
  sshd: SshdFixture,
  count: number,
  concurrency: number,
  log: (line: string) => void,
): Promise<BenchClient[]> {
  const opened: BenchClient[] = [];
  const startedAt = performance.now();
  try {
    await inBatches(count, concurrency, async () => {
      const client = await openBenchSession(wsUrl, target, sshd);
      opened.push(client);
      await atPrompt(client);
      if (opened.length % 250 === 0) log(`    ${opened.length}/${count} sessions open`);
    });
  } catch (error) {
    await closeSessions(opened);
    throw new Error(
      `opening ${count} sessions on ${target}: ${opened.length} opened, then: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  const seconds = (performance.now() - startedAt) / 1000;
  log(`    ${count} sessions on ${target} open in ${seconds.toFixed(1)} s`);
  return opened;
}

export async function closeSessions(clients: readonly TerminalStream[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}
