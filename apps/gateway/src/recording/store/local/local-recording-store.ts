import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { RecordingHeader } from '../../asciicast-header.js';
import { AsciicastRecorder } from '../../asciicast-recorder.js';
import type { RecordingThread } from '../../recording-thread.js';
import type { RecordingStore } from '../recording-store.js';

/** One `.cast` file per session in `directory`, written by the recording thread: the embedded default. */
export class LocalRecordingStore implements RecordingStore {
  readonly side = 'local';

  constructor(
    readonly directory: string,
    private readonly thread: RecordingThread,
  ) {}

  record(sessionId: string, header: RecordingHeader, includeInput: boolean): AsciicastRecorder {
    return new AsciicastRecorder(
      this.thread,
      join(this.directory, `${sessionId}.cast`),
      header,
      includeInput,
    );
  }

  async read(sessionId: string): Promise<Readable | undefined> {
    // Opened first, so a file removed meanwhile is either served whole or not found.
    const file = await open(join(this.directory, `${sessionId}.cast`)).catch(() => undefined);
    return file?.createReadStream();
  }

  async close(): Promise<void> {
    await this.thread.stop();
  }
}
