import { createHash, type Hash } from 'node:crypto';
import { printMarker, type TerminalStream } from './terminal-stream.js';

/** How the payload's bytes are checked as they arrive, without keeping them. */
export type PayloadCheck = { kind: 'zeros' } | { kind: 'sha256'; digest: string };

export interface PayloadRun {
  bytes: number;
  /** From the start marker's arrival to the payload's last byte. */
  seconds: number;
}

const START = 'VIGIL-BENCH-START';
const END = 'VIGIL-BENCH-END';
/** No output for this long means the stream is stuck (or bytes were lost and the end never comes). */
const STALL_MS = 15_000;
const ZEROS = Buffer.alloc(64 * 1024);

/**
 * Runs `head -c BYTES SOURCE` between two markers on a raw, non-echoing PTY (so no CR/LF
 * translation changes the count) and reads exactly BYTES bytes between the markers, checking them
 * as they come. Rejects if a byte is wrong, missing or extra: a benchmark that loses bytes fails.
 */
export function streamPayload(
  stream: TerminalStream,
  source: string,
  bytes: number,
  check: PayloadCheck,
): Promise<PayloadRun> {
  const hash: Hash | undefined = check.kind === 'sha256' ? createHash('sha256') : undefined;
  let phase: 'before' | 'payload' | 'after' = 'before';
  let pending = Buffer.alloc(0);
  let got = 0;
  let startedAt = 0;
  let finishedAt = 0;
  let lastProgress = performance.now();

  return new Promise<PayloadRun>((resolve, reject) => {
    const stop = (error?: Error) => {
      clearInterval(watchdog);
      stream.onOutput(() => {});
      if (error) reject(error);
      else resolve({ bytes, seconds: (finishedAt - startedAt) / 1000 });
    };
    const watchdog = setInterval(() => {
      if (performance.now() - lastProgress < STALL_MS) return;
      stop(
        new Error(
          phase === 'before'
            ? `no start marker within ${STALL_MS / 1000} s; output: ${JSON.stringify(pending.toString('latin1').slice(-300))}`
            : `stalled after ${got} of ${bytes} bytes (${phase}): bytes lost or flow stuck`,
        ),
      );
    }, 1000);

    const takePayload = (chunk: Buffer): Buffer | undefined => {
      const take = Math.min(bytes - got, chunk.length);
      const segment = chunk.subarray(0, take);
      if (hash) hash.update(segment);
      else {
        for (let offset = 0; offset < segment.length; offset += ZEROS.length) {
          const piece = segment.subarray(offset, offset + ZEROS.length);
          if (!piece.equals(ZEROS.subarray(0, piece.length))) {
            stop(new Error(`a non-zero byte near payload offset ${got + offset}: corrupted output`));
            return undefined;
          }
        }
      }
      got += take;
      if (got === bytes) {
        finishedAt = performance.now();
        phase = 'after';
      }
      return chunk.subarray(take);
    };

    const finish = () => {
      if (!pending.subarray(0, END.length).equals(Buffer.from(END))) {
        const extra = JSON.stringify(pending.toString('latin1').slice(0, 60));
        return stop(
          new Error(`more than ${bytes} bytes before the end marker (next: ${extra}): extra bytes`),
        );
      }
      const digest = hash?.digest('hex');
      if (check.kind === 'sha256' && digest !== check.digest) {
        return stop(
          new Error(`the ${bytes} bytes differ from the file (sha256 ${digest}): corrupted output`),
        );
      }
      stop();
    };

    stream.onOutput((chunk) => {
      lastProgress = performance.now();
      let rest: Buffer | undefined = chunk;
      if (phase === 'before') {
        pending = Buffer.concat([pending, chunk]);
        const at = pending.indexOf(START);
        if (at < 0) {
          if (pending.length > 8192) pending = pending.subarray(pending.length - 1024);
          return;
        }
        startedAt = performance.now();
        phase = 'payload';
        rest = pending.subarray(at + START.length);
        pending = Buffer.alloc(0);
      }
      if (phase === 'payload') rest = takePayload(rest);
      if (rest === undefined) return;
      if (phase === 'after') {
        pending = Buffer.concat([pending, rest]);
        if (pending.length >= END.length) finish();
      }
    });

    stream.type(`stty raw -echo; ${printMarker(START)}; head -c ${bytes} ${source}; ${printMarker(END)}\r`);
  });
}
