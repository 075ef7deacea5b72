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
import { JsonTextEncoder, MAX_EXPANSION } from './json-text-encoder.js';
import type { FromRecordingThread, ToRecordingThread } from './recording-messages.js';

/** An event's opening `[12.345678,"o","` is at most this long. */
const EVENT_HEAD_BYTES = 48;

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
 * Where events are escaped before being written. Writes are synchronous, so one buffer serves
 * every event, grown when a larger one comes: a buffer per event was garbage the thread's heap
 * grew to hold.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
const port = parentPort;
if (!port) throw new Error('recording-thread-main runs as a worker thread');
const reply = (message: FromRecordingThread) => port.postMessage(message);

function writeAll(recording: Recording, id: number, data: Uint8Array) {
  if (recording.fd === undefined || recording.failure) return;
  try {
    for (let offset = 0; offset < data.length; ) offset += writeSync(recording.fd, data, offset);
    recording.length += data.length;
  } catch (error) {
    recording.failure = (error as Error).message;
    reply({ type: 'failed', id, message: recording.failure });
  }
}

function writeEvent(
  recording: Recording,
  id: number,
  code: 'o' | 'i',
  at: number,
  bytes: Uint8Array,
  end: boolean,
) {
  const encoder = code === 'o' ? recording.output : recording.input;
  const needed = EVENT_HEAD_BYTES + bytes.length * MAX_EXPANSION + 6;
  if (scratch.length < needed) scratch = Buffer.allocUnsafeSlow(needed);
  const event = scratch;
  let length = event.write(`[${at},"${code}","`);
  const bodyStart = length;
  length = encoder.write(bytes, event, length);
  if (end) length = encoder.end(event, length);
  // Nothing to show (NUL only, or a character still incomplete): no event.
  if (length === bodyStart) return;
  length += event.write('"]\n', length);
  writeAll(recording, id, event.subarray(0, length));
}

function handle(message: ToRecordingThread) {
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
  switch (message.type) {
    case 'event':
      writeEvent(recording, id, message.code, message.at, message.bytes, false);
      reply({ type: 'written', id, bytes: message.bytes.length, fileBytes: recording.length });
      return;
    case 'resize':
      writeAll(
        recording,
        id,
        Buffer.from(`${JSON.stringify([message.at, 'r', `${message.cols}x${message.rows}`])}\n`),
      );
      return;
    case 'close': {
      // A character left unfinished at the end is written as U+FFFD, as a terminal would show it.
      writeEvent(recording, id, 'o', message.at, new Uint8Array(0), true);
      writeEvent(recording, id, 'i', message.at, new Uint8Array(0), true);
      if (recording.fd !== undefined) closeSync(recording.fd);
      recordings.delete(id);
      reply({ type: 'closed', id, ...(recording.failure ? { error: recording.failure } : {}) });
      return;
    }
  }
}

port.on('message', handle);
