import type { Figure, Verdict } from './figure.js';

/** Numbers in a cell or note, with their sign (figure.ts writes minus as U+2212). */
const NUMBER = /[+−-]?\d+(?:\.\d+)?/g;
const SLOT = '\u0000';
const SEVERITY: Record<Verdict, number> = { failed: 3, miss: 2, pass: 1, info: 0 };

function numberIn(token: string): number {
  return Number(token.replace('−', '-'));
}

/** `12.1` and `14.0` → `12.1–14.0`; the tokens keep their own formatting. */
function range(tokens: string[]): string {
  let low = tokens[0]!;
  let high = low;
  for (const token of tokens) {
    if (numberIn(token) < numberIn(low)) low = token;
    if (numberIn(token) > numberIn(high)) high = token;
  }
  return low === high ? low : `${low}–${high}`;
}

/**
 * One text over runs: itself when every run wrote the same; else, when only its numbers differ,
 * each number as its min–max range, so a note shows which of its parts moved between runs.
 */
export function rangeText(texts: readonly string[]): string {
  if (new Set(texts).size === 1) return texts[0]!;
  const shapes = texts.map((text) => text.replace(NUMBER, SLOT));
  if (new Set(shapes).size > 1) return texts.map((text, i) => `run ${i + 1}: ${text}`).join('; ');
  const numbers = texts.map((text) => text.match(NUMBER) ?? []);
  let slot = 0;
  return shapes[0]!.replace(new RegExp(SLOT, 'g'), () => {
    const column = numbers.map((tokens) => tokens[slot]!);
    slot++;
    return range(column);
  });
}

/** The run that decides: one that failed or missed, else the one closest to its goal. */
function decidingRun(runs: readonly Figure[]): number {
  let worst = 0;
  runs.forEach((run, i) => {
    const current = runs[worst]!;
    const severer = SEVERITY[run.verdict] - SEVERITY[current.verdict];
    if (severer > 0 || (severer === 0 && (run.margin ?? 0) < (current.margin ?? 0))) worst = i;
  });
  return worst;
}

/** How much the first number of the Vigil cell moved between runs, as a share of its smallest. */
function spreadOf(texts: readonly string[]): number {
  const values = texts.map((text) => numberIn(text.match(NUMBER)?.[0] ?? 'NaN')).filter(Number.isFinite);
  const low = Math.min(...values);
  return values.length < 2 || low <= 0 ? 0 : Math.max(...values) / low - 1;
}

/** Above this spread, the notes say so: read their ranges to see which part moved with it. */
const NOTABLE_SPREAD = 0.1;

/**
 * Figures from several runs of the whole set, one row per figure: every cell as a range over the
 * runs, and the worst run's verdict. A figure missing from a run (its module failed early) is
 * taken from the runs that have it.
 */
export function mergeRuns(runs: readonly (readonly Figure[])[]): Figure[] {
  if (runs.length === 1) return [...runs[0]!];
  const byName = new Map<string, { run: number; figure: Figure }[]>();
  runs.forEach((figures, run) => {
    for (const figure of figures) {
      byName.set(figure.figure, [...(byName.get(figure.figure) ?? []), { run: run + 1, figure }]);
    }
  });
  return [...byName.values()].map((entries) => {
    const same = entries.map((entry) => entry.figure);
    const text = (cell: (f: Figure) => string) => rangeText(same.map(cell));
    const worst = decidingRun(same);
    const decider = same[worst]!;
    const spread = spreadOf(same.map((f) => f.vigil));
    const about = [
      `runs ${entries.map((entry) => entry.run).join(', ')}`,
      decider.margin === undefined ? '' : `run ${entries[worst]!.run} is the worst and decides`,
      spread > NOTABLE_SPREAD ? `Vigil's figure varies ${(spread * 100).toFixed(0)} % between runs` : '',
      text((f) => f.notes ?? ''),
    ];
    return {
      figure: decider.figure,
      vigil: text((f) => f.vigil),
      baseline: text((f) => f.baseline),
      ratio: text((f) => f.ratio),
      goal: text((f) => f.goal),
      verdict: decider.verdict,
      margin: decider.margin,
      notes: about.filter((part) => part !== '').join('; '),
    };
  });
}
