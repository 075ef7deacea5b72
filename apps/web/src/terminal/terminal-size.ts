import { TERMINAL_LIMITS } from '@vigil/protocol';

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Keeps a measured size inside what the gateway accepts, so a huge window never costs a refused resize. */
export function clampTerminalSize(size: TerminalSize): TerminalSize {
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(value)));
  return {
    cols: clamp(size.cols, TERMINAL_LIMITS.minCols, TERMINAL_LIMITS.maxCols),
    rows: clamp(size.rows, TERMINAL_LIMITS.minRows, TERMINAL_LIMITS.maxRows),
  };
}

export function sameSize(a: TerminalSize, b: TerminalSize): boolean {
  return a.cols === b.cols && a.rows === b.rows;
}
