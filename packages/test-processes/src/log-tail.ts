/** The last lines of a stream, so a long-running fixture's log cannot grow without bound. */
export class LogTail {
  readonly #lines: string[] = [];
  #partial = '';

  constructor(readonly maxLines = 500) {}

  /** Adds a chunk and returns the lines it completed. */
  write(chunk: string): string[] {
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    const lines = parts.map((line) => line.replace(/\r$/, ''));
    this.#lines.push(...lines);
    if (this.#lines.length > this.maxLines) this.#lines.splice(0, this.#lines.length - this.maxLines);
    return lines;
  }

  text(): string {
    return [...this.#lines, ...(this.#partial === '' ? [] : [this.#partial])].join('\n');
  }
}
