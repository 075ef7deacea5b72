import type { Readable } from 'node:stream';
import type { RecordingHeader } from '../asciicast-header.js';
import type { AsciicastRecorder } from '../asciicast-recorder.js';

/**
 * Where recordings live: the one seam between the sessions that write them and the API that
 * plays them. The local side keeps one file per session; the S3 side uploads while the session
 * runs and keeps one object per session once it ends. open-recording-store.ts picks the side.
 */
export interface RecordingStore {
  readonly side: 'local' | 's3';
  /**
   * The local folder every new recording is first written to (the files themselves on the local
   * side, the spool on the S3 side): what RecordingHealth probes.
   */
  readonly directory: string;
  /** Starts recording a session; the recorder reports failures, the store does the rest. */
  record(sessionId: string, header: RecordingHeader, includeInput: boolean): AsciicastRecorder;
  /**
   * The session's recording as asciicast v2 so far (all of it once the session has ended), or
   * undefined when there is none. Throws when the store cannot be read now.
   */
  read(sessionId: string): Promise<Readable | undefined>;
  /** Finishes what can be finished soon and lets go; what cannot waits for the next start. */
  close(): Promise<void>;
}
