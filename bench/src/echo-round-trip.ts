import { setTimeout as sleep } from 'node:timers/promises';
import { ms } from './figure.js';
import { percentile } from './percentiles.js';
import { printMarker, type TerminalStream, waitForOutput } from './terminal-stream.js';

/** Keystrokes on each path before any is counted. */
const WARM_UP_KEYS = 100;
const KEYS_PER_BLOCK = 100;
const ECHO_TIMEOUT_MS = 5_000;
/** A pause between keystrokes, so each starts from an idle event loop as a typed key would. */
const PAUSE_MS = 1;

/** `cat` on a raw, non-echoing PTY: every byte comes back exactly once, nothing else is written. */
export async function startEcho(stream: TerminalStream): Promise<void> {
  const ready = waitForOutput(stream, 'VIGIL-ECHO-READY', 30_000);
  stream.type(`stty raw -echo; ${printMarker('VIGIL-ECHO-READY')}; exec cat\r`);
  await ready;
}

/** Sends one byte and resolves with the milliseconds until exactly that byte came back. */
function keystroke(stream: TerminalStream, byte: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no echo within ${ECHO_TIMEOUT_MS} ms`)),
      ECHO_TIMEOUT_MS,
    );
    const sentAt = performance.now();
    stream.onOutput((chunk) => {
      const at = performance.now();
      clearTimeout(timer);
      stream.onOutput(() => {});
      if (chunk.length === 1 && chunk[0] === byte) resolve(at - sentAt);
      else reject(new Error(`sent ${byte}, got back ${JSON.stringify(chunk.toString('latin1'))}`));
    });
    stream.type(Buffer.of(byte));
  });
}

/** Types `count` keys one after another, each when the last one's echo is back; `into` gets their round trips. */
async function echoBlock(stream: TerminalStream, count: number, into: number[] | undefined): Promise<void> {
  for (let i = 0; i < count; i++) {
    const rtt = await keystroke(stream, 0x61 + (i % 26));
    into?.push(rtt);
    await sleep(PAUSE_MS);
  }
}

/**
 * `count` round trips on each stream after a warm-up, in alternating blocks, so every path sees
 * the same moments of machine noise. Resolves with each stream's samples, in order.
 */
export async function alternatingEchoes<const Streams extends readonly TerminalStream[]>(
  streams: Streams,
  count: number,
): Promise<{ [K in keyof Streams]: number[] }> {
  for (const stream of streams) await echoBlock(stream, WARM_UP_KEYS, undefined);
  const samples = streams.map((): number[] => []);
  while (samples.some((taken) => taken.length < count)) {
    for (const [i, stream] of streams.entries()) {
      const taken = samples[i]!;
      await echoBlock(stream, Math.min(KEYS_PER_BLOCK, count - taken.length), taken);
    }
  }
  return samples as { [K in keyof Streams]: number[] };
}

/** The tail of a set of round trips, for the notes. */
export function echoSpread(samples: readonly number[]): string {
  const p = (q: number) => ms(percentile(samples, q));
  return `p90 ${p(90)}, p99.9 ${p(99.9)}, max ${ms(Math.max(...samples))}`;
}
