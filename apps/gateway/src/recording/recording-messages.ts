import type { RecordingHeader } from './asciicast-header.js';

/** From the gateway to the recording thread; `id` names one recording. */
export type ToRecordingThread =
  | { type: 'open'; id: number; path: string; header: RecordingHeader }
  /** Terminal bytes that arrived `at` seconds after the start, escaped and written by the thread. */
  | { type: 'event'; id: number; code: 'o' | 'i'; at: number; bytes: Uint8Array }
  | { type: 'resize'; id: number; at: number; cols: number; rows: number }
  | { type: 'close'; id: number; at: number };

/** From the recording thread back. */
export type FromRecordingThread =
  /**
   * This many bytes of an `event` are on disk (or were dropped after a failure): the backlog
   * shrinks. The file now holds `fileBytes`, ending at a line's end.
   */
  | { type: 'written'; id: number; bytes: number; fileBytes: number }
  /** The file could not be opened or written; the recording keeps going without it. */
  | { type: 'failed'; id: number; message: string }
  /** The file is complete and closed; `error` when it never was right. */
  | { type: 'closed'; id: number; error?: string };
