import type { SshdFixture } from '@vigil/test-sshd';
import type { BenchSettings } from './bench-settings.js';

/** `failed`: the run errored or lost bytes (the bench exits non-zero); `miss`: it ran, the goal was not met. */
export type Verdict = 'pass' | 'miss' | 'failed' | 'info';

/** One row of the results table. */
export interface Figure {
  figure: string;
  vigil: string;
  /** The same measurement without Vigil, taken in the same run. */
  baseline: string;
  ratio: string;
  goal: string;
  verdict: Verdict;
  /** What else was seen, or why it failed. */
  notes?: string;
  /**
   * How far inside its goal the figure is, as a share of the goal's limit (negative: missed).
   * Over several runs, the run with the smallest margin decides the result.
   */
  margin?: number;
}

export interface BenchContext {
  settings: BenchSettings;
  sshd: SshdFixture;
  /** This run's logs and profiles: bench/.runs/<stamp>/ (git-ignored). */
  runDir: string;
  /** A directory the test user can read, for payload files both sides stream. */
  sharedDir: string;
  log(line: string): void;
}

export type FigureModule = (context: BenchContext) => Promise<Figure[]>;

/** Runs one measurement; an error becomes a `failed` row instead of ending the whole bench. */
export async function attempt(
  figure: string,
  goal: string,
  measure: () => Promise<Figure[]>,
): Promise<Figure[]> {
  try {
    return await measure();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ figure, vigil: '—', baseline: '—', ratio: '—', goal, verdict: 'failed', notes: reason }];
  }
}

/** Judges `value` against a goal `relation limit` (`≤ 250` ms, `≥ 0.9`×). */
export function judge(value: number, relation: '≤' | '≥', limit: number): Pick<Figure, 'verdict' | 'margin'> {
  const margin = (relation === '≤' ? limit - value : value - limit) / (Math.abs(limit) || 1);
  return { verdict: margin >= 0 ? 'pass' : 'miss', margin };
}

export function ratioText(vigil: number, baseline: number): string {
  return baseline === 0 ? '—' : `${(vigil / baseline).toFixed(2)}×`;
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 3 : 1)} ms`;
}

export function signedMs(value: number): string {
  return `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
}
