export interface RecordingHeader {
  cols: number;
  rows: number;
  /** Unix seconds when the session started. */
  timestamp: number;
  title: string;
}

/** The first line of an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/). */
export function asciicastHeaderLine({
  cols: width,
  rows: height,
  timestamp,
  title,
}: RecordingHeader): string {
  return `${JSON.stringify({ version: 2, width, height, timestamp, title, env: { TERM: 'xterm-256color' } })}\n`;
}
