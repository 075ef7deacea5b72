/**
 * The recording thread (a worker_threads Worker): escapes every session's terminal bytes into
 * asciicast events and writes them, so the event loop that relays sessions and answers
 * heartbeats never spends its time on recordings. Writes are synchronous here on purpose: this
 * thread has nothing else to do, and a slow disk shows up as a backlog the sessions watch.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { asciicastHeaderLine } from './asciicast-header.js';
import { ENTRY_FIELDS, ENTRY_KIND } from './event-batch.js';
import { JsonTextEncoder, MAX_EXPANSION, STORE_SLACK } from './json-text-encoder.js';
import type { FromRecordingThread, ToRecordingThread } from './recording-messages.js';

/** An event's opening `[12.345678,"o","` and closing `"]\n` (or a whole resize line) fit in this. */
const EVENT_FRAME_BYTES = 64;
/**
 * Escaped events are written once this much has gathered: a whole batch escaped first (about
 * 2.4 MiB for 1 MiB of random output) no longer fits the core's cache by the time it is written,
 * and cost the thread more than the write calls saved.
 */
const WRITE_BYTES = 128 * 1024;

interface Recording {
  fd: number | undefined;
  /** Bytes in the file so far: always whole lines, as every write is one. */
  length: number;
  failure: string | undefined;
  readonly output: JsonTextEncoder;
  readonly input: JsonTextEncoder;
}

const recordings = new Map<number, Recording>();
/**
 * Where one recording's consecutive events in a batch are escaped, to be written with one call.
 * Writes are synchronous, so one buffer serves every batch, grown when a larger one comes: a
 * buffer per event was garbage the thread's heap grew to hold.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
const port = parentPort;
if (!port) throw new Error('recording-thread-main runs as a worker thread');
const reply = (message: FromRecordingThread, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

function writeAll(recording: Recording, id: number, data: Uint8Array) {
  if (recording.fd === undefined || recording.failure || data.length === 0) return;
  try {
    for (let offset = 0; offset < data.length; ) offset += writeSync(recording.fd, data, offset);
    recording.length += data.length;
  } catch (error) {
    recording.failure = (error as Error).message;
    reply({ type: 'failed', id, message: recording.failure });
  }
}

/** Room for `more` bytes after the first `used` of scratch, which are kept. */
function reserve(used: number, more: number) {
  if (scratch.length >= used + more) return;
  const grown = Buffer.allocUnsafeSlow(Math.max(2 * scratch.length, used + more));
  scratch.copy(grown, 0, 0, used);
  scratch = grown;
}

/** Escapes one event into scratch at `length`; returns the new length (unchanged when there is nothing to show). */
function appendEvent(
  recording: Recording,
  code: 'o' | 'i',
  at: number,
  bytes: Uint8Array,
  end: boolean,
  length: number,
): number {
  reserve(length, EVENT_FRAME_BYTES + bytes.length * MAX_EXPANSION + STORE_SLACK);
  const encoder = code === 'o' ? recording.output : recording.input;
  const bodyStart = length + scratch.write(`[${at},"${code}","`, length);
  let o = encoder.write(bytes, scratch, bodyStart);
  if (end) o = encoder.end(scratch, o);
  // Nothing to show (NUL only, or a character still incomplete): no event.
  if (o === bodyStart) return length;
  return o + scratch.write('"]\n', o);
}

function appendResize(at: number, cols: number, rows: number, length: number): number {
  reserve(length, EVENT_FRAME_BYTES);
  return length + scratch.write(`${JSON.stringify([at, 'r', `${cols}x${rows}`])}\n`, length);
}

/** Writes a batch: each run of one recording's entries with one write, then gives the buffer back. */
function writeBatch(buffer: ArrayBuffer, entries: number[]) {
  const bytes = new Uint8Array(buffer);
  /** Recording id, event bytes and (once written) file length, per recording in the batch. */
  const written: number[] = [];
  let offset = 0;
  let pendingId = 0;
  let pending: Recording | undefined;
  let length = 0;
  for (let e = 0; e < entries.length; e += ENTRY_FIELDS) {
    const kind = entries[e]!;
    const id = entries[e + 1]!;
    const at = entries[e + 2]!;
    if (id !== pendingId || length >= WRITE_BYTES) {
      if (pending) writeAll(pending, pendingId, scratch.subarray(0, length));
      length = 0;
      pendingId = id;
      pending = recordings.get(id);
    }
    if (kind === ENTRY_KIND.resize) {
      if (pending) length = appendResize(at, entries[e + 3]!, entries[e + 4]!, length);
      continue;
    }
    const size = entries[e + 3]!;
    const event = bytes.subarray(offset, offset + size);
    offset += size;
    const last = written.length - 3;
    if (written[last] === id) written[last + 1]! += size;
    else written.push(id, size, 0);
    if (pending)
      length = appendEvent(pending, kind === ENTRY_KIND.output ? 'o' : 'i', at, event, false, length);
  }
  if (pending) writeAll(pending, pendingId, scratch.subarray(0, length));
  for (let k = 0; k < written.length; k += 3) written[k + 2] = recordings.get(written[k]!)?.length ?? 0;
  reply({ type: 'written', buffer, written }, [buffer]);
}

function handle(message: ToRecordingThread) {
  if (message.type === 'events') return writeBatch(message.buffer, message.entries);
  const { id } = message;
  if (message.type === 'open') {
    const recording: Recording = {
      fd: undefined,
      length: 0,
      failure: undefined,
      output: new JsonTextEncoder(),
      input: new JsonTextEncoder(),
    };
    recordings.set(id, recording);
    try {
      mkdirSync(dirname(message.path), { recursive: true, mode: 0o700 });
      recording.fd = openSync(message.path, 'wx', 0o600);
    } catch (error) {
      recording.failure = (error as Error).message;
      reply({ type: 'failed', id, message: recording.failure });
      return;
    }
    writeAll(recording, id, Buffer.from(asciicastHeaderLine(message.header)));
    return;
  }
  const recording = recordings.get(id);
  if (!recording) return;
  // A character left unfinished at the end is written as U+FFFD, as a terminal would show it.
  const nothing = new Uint8Array(0);
  const length = appendEvent(
    recording,
    'i',
    message.at,
    nothing,
    true,
    appendEvent(recording, 'o', message.at, nothing, true, 0),
  );
  writeAll(recording, id, scratch.subarray(0, length));
  if (recording.fd !== undefined) closeSync(recording.fd);
  recordings.delete(id);
  reply({ type: 'closed', id, ...(recording.failure ? { error: recording.failure } : {}) });
}

port.on('message', handle);
