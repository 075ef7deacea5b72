import type { RecordingHeader } from './asciicast-header.js';

/** From the gateway to the recording thread; `id` names one recording. */
export type ToRecordingThread =
  | { type: 'open'; id: number; path: string; header: RecordingHeader }
  /**
   * Events of any recordings (see EventBatch): `entries` say what each is, and the bytes of the
   * events follow one another in `buffer`, which the thread sends back with `written`.
   */
  | { type: 'events'; buffer: ArrayBuffer; entries: number[] }
  | { type: 'close'; id: number; at: number };

/** From the recording thread back. */
export type FromRecordingThread =
  /**
   * A batch is on disk (or was dropped after a failure): `written` holds, per recording in the
   * batch, its id, its event bytes (so its backlog shrinks) and the bytes its file now holds,
   * ending at a line's end; `buffer` carries the next batch.
   */
  | { type: 'written'; buffer: ArrayBuffer; written: number[] }
  /** The file could not be opened or written; the recording keeps going without it. */
  | { type: 'failed'; id: number; message: string }
  /** The file is complete and closed; `error` when it never was right. */
  | { type: 'closed'; id: number; error?: string };
