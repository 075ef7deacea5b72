import { Worker } from 'node:worker_threads';
import type { RecordingHeader } from './asciicast-header.js';
import type { FromRecordingThread, ToRecordingThread } from './recording-messages.js';

/** What one recording hears back from the thread. */
export interface RecordingListener {
  written(bytes: number, fileBytes: number): void;
  failed(message: string): void;
  closed(error: string | undefined): void;
}

/**
 * The one thread that writes every session's recording (recording-thread-main.ts), and the
 * routing of its answers. One thread for all: recordings use at most one more core, however many
 * sessions flood, and the event loop keeps the relay and the heartbeats.
 *
 * The thread runs compiled JavaScript: from src (the tests) and from dist alike, the URL below
 * names the built file, so the gateway package is built before its tests run.
 */
export class RecordingThread {
  private worker: Worker | undefined;
  private readonly listeners = new Map<number, RecordingListener>();
  private nextId = 1;

  open(path: string, header: RecordingHeader, listener: RecordingListener): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    // Held only while something records: an idle gateway's thread does not keep the process up.
    this.started().ref();
    this.post({ type: 'open', id, path, header });
    return id;
  }

  post(message: ToRecordingThread, transfer: ArrayBuffer[] = []): void {
    this.started().postMessage(message, transfer);
  }

  /** Stops the thread; recordings still open lose what was not yet written. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
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
    const listener = this.listeners.get(message.id);
    if (!listener) return;
    if (message.type === 'written') listener.written(message.bytes, message.fileBytes);
    else if (message.type === 'failed') listener.failed(message.message);
    else {
      this.listeners.delete(message.id);
      if (this.listeners.size === 0) this.worker?.unref();
      listener.closed(message.error);
    }
  }
}
