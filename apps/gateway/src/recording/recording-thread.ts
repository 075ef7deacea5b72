import { Worker } from 'node:worker_threads';
import type { RecordingHeader } from './asciicast-header.js';
import { EventBatch } from './event-batch.js';
import type { FromRecordingThread, ToRecordingThread } from './recording-messages.js';

/** A batch goes to the thread once it holds this much (a recorder's events are at most a quarter of it). */
export const BATCH_BYTES = 1024 * 1024;
/**
 * A batch goes to the thread at the latest this long after its first event. Typing sends the
 * thread a message this often instead of one per echo: each woke the thread, which woke the event
 * loop with its answer, on the two cores an echo also needs. Output reaches the file this much later.
 * @default 50
 */
export const HAND_OVER_MS = 50;
/** Buffers kept for the next batches, as they come back from the thread. */
const SPARE_BUFFERS = 4;

/** What one recording hears back from the thread. */
export interface RecordingListener {
  written(bytes: number, fileBytes: number): void;
  failed(message: string): void;
  closed(error: string | undefined): void;
}

/**
 * The one thread that writes every session's recording (recording-thread-main.ts), the batch of
 * events on its way there, and the routing of its answers. One thread for all: recordings use at
 * most one more core, however many sessions flood, and the event loop keeps the relay and the
 * heartbeats.
 *
 * The thread runs compiled JavaScript: from src (the tests) and from dist alike, the URL below
 * names the built file, so the gateway package is built before its tests run.
 */
export class RecordingThread {
  private worker: Worker | undefined;
  private readonly listeners = new Map<number, RecordingListener>();
  private nextId = 1;
  private batch: EventBatch | undefined;
  private handOverTimer: NodeJS.Timeout | undefined;
  private readonly spareBuffers: ArrayBuffer[] = [];

  open(path: string, header: RecordingHeader, listener: RecordingListener): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    // Held only while something records: an idle gateway's thread does not keep the process up.
    this.started().ref();
    this.post({ type: 'open', id, path, header });
    return id;
  }

  /** An output or input event of `length` bytes, held by `chunks` (the caller may reuse them at once). */
  event(id: number, code: 'o' | 'i', at: number, chunks: readonly Uint8Array[], length: number): void {
    if (this.batch && this.batch.room < length) this.handOver();
    this.batchFor(length).addEvent(id, code, at, chunks, length);
    if (this.batch!.room === 0) this.handOver();
  }

  resize(id: number, at: number, cols: number, rows: number): void {
    this.batchFor(0).addResize(id, at, cols, rows);
  }

  /** Ends recording `id` after everything given for it so far. */
  close(id: number, at: number): void {
    this.handOver();
    this.post({ type: 'close', id, at });
  }

  /** Stops the thread; recordings still open lose what was not yet written. */
  async stop(): Promise<void> {
    clearTimeout(this.handOverTimer);
    this.batch = undefined;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private batchFor(length: number): EventBatch {
    if (this.batch) return this.batch;
    // An event larger than a batch (never, from a recorder) gets a buffer of its own, kept by the thread.
    const buffer =
      length > BATCH_BYTES
        ? new ArrayBuffer(length)
        : (this.spareBuffers.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES).buffer);
    this.batch = new EventBatch(buffer as ArrayBuffer);
    this.handOverTimer = setTimeout(() => this.handOver(), HAND_OVER_MS);
    // A batch does not keep the process up: close() hands over whatever is left.
    this.handOverTimer.unref();
    return this.batch;
  }

  private handOver() {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    clearTimeout(this.handOverTimer);
    const { buffer } = batch.bytes;
    this.post({ type: 'events', buffer: buffer as ArrayBuffer, entries: batch.entries }, [
      buffer as ArrayBuffer,
    ]);
  }

  private post(message: ToRecordingThread, transfer: ArrayBuffer[] = []): void {
    this.started().postMessage(message, transfer);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('../../dist/recording/recording-thread-main.js', import.meta.url));
    worker.on('message', (message: FromRecordingThread) => this.deliver(message));
    worker.on('error', (error) => {
      // The thread died (a bug, not a disk problem, which it reports itself): every open
      // recording is over, and the sessions must not wait on backlogs that will never shrink.
      this.worker = undefined;
      for (const [id, listener] of this.listeners) {
        this.listeners.delete(id);
        listener.failed(`the recording thread stopped: ${error.message}`);
        listener.closed(error.message);
      }
    });
    this.worker = worker;
    return worker;
  }

  private deliver(message: FromRecordingThread) {
    if (message.type === 'written') {
      const { buffer, written } = message;
      if (buffer.byteLength === BATCH_BYTES && this.spareBuffers.length < SPARE_BUFFERS) {
        this.spareBuffers.push(buffer);
      }
      for (let k = 0; k < written.length; k += 3) {
        this.listeners.get(written[k]!)?.written(written[k + 1]!, written[k + 2]!);
      }
      return;
    }
    const listener = this.listeners.get(message.id);
    if (!listener) return;
    if (message.type === 'failed') listener.failed(message.message);
    else {
      this.listeners.delete(message.id);
      if (this.listeners.size === 0) this.worker?.unref();
      listener.closed(message.error);
    }
  }
}
