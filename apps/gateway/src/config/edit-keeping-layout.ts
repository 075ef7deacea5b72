import { isDeepStrictEqual } from 'node:util';
import { type Document, parseDocument } from 'yaml';

/**
 * A long value on one line (a hash folded over two is valid YAML, but nobody writes it so) and
 * lists as `[ops]`, the way docs/configuration.md writes them.
 */
const RENDER_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * Applies `edit` to `doc`, which was parsed from `text`, and returns the new text, changed only
 * where the edit changed something. The yaml library renders a whole document in its own layout
 * (one space before a trailing comment, a comment after `key:` moved to a line of its own), so
 * the rendering is merged into the operator's text rather than replacing it.
 */
export function editKeepingLayout(text: string, doc: Document, edit: (doc: Document) => void): string {
  const before = doc.toString(RENDER_OPTIONS);
  edit(doc);
  const after = doc.toString(RENDER_OPTIONS);
  const merged = mergeLines(before.split('\n'), text.split('\n'), after.split('\n')).join('\n');
  // Should the merge ever mean something else than the edited document, the rendering is right.
  const check = parseDocument(merged);
  return check.errors.length === 0 && isDeepStrictEqual(check.toJS(), doc.toJS()) ? merged : after;
}

/**
 * diff3, with `base` the rendering before the edit, `ours` the operator's text (the same document
 * in their layout) and `theirs` the rendering after the edit: a region the edit left alone keeps
 * the operator's lines, a region it changed takes the new rendering.
 */
function mergeLines(base: string[], ours: string[], theirs: string[]): string[] {
  const toOurs = matchingLines(base, ours);
  const toTheirs = matchingLines(base, theirs);
  const merged: string[] = [];
  let [b, o, t] = [0, 0, 0];
  for (let i = 0; i <= base.length; i++) {
    const end = i === base.length;
    if (!end && (toOurs[i] === -1 || toTheirs[i] === -1)) continue;
    const oursEnd = end ? ours.length : toOurs[i]!;
    const theirsEnd = end ? theirs.length : toTheirs[i]!;
    merged.push(...mergeRegion(base.slice(b, i), ours.slice(o, oursEnd), theirs.slice(t, theirsEnd)));
    if (!end) merged.push(base[i]!);
    [b, o, t] = [i + 1, oursEnd + 1, theirsEnd + 1];
  }
  return merged;
}

/**
 * A region between lines all three share. Where the edit changed lines at one end of it and the
 * operator's text has those lines as rendered, the other end keeps the operator's layout.
 */
function mergeRegion(base: string[], ours: string[], theirs: string[]): string[] {
  let head = 0;
  while (head < base.length && head < theirs.length && base[head] === theirs[head]) head++;
  let tail = 0;
  while (
    tail < base.length - head &&
    tail < theirs.length - head &&
    base[base.length - 1 - tail] === theirs[theirs.length - 1 - tail]
  ) {
    tail++;
  }
  const upToTail = base.length - tail;
  if (isDeepStrictEqual(ours.slice(0, upToTail), base.slice(0, upToTail))) {
    return [...theirs.slice(0, theirs.length - tail), ...ours.slice(upToTail)];
  }
  const fromHead = base.length - head;
  if (ours.length >= fromHead && isDeepStrictEqual(ours.slice(ours.length - fromHead), base.slice(head))) {
    return [...ours.slice(0, ours.length - fromHead), ...theirs.slice(head)];
  }
  return theirs;
}

/** For each line of `a`, the line of `b` it is paired with in a longest common subsequence, or -1. */
function matchingLines(a: readonly string[], b: readonly string[]): Int32Array {
  const width = b.length + 1;
  // common[i * width + j]: length of the longest common subsequence of a[i…] and b[j…]
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] =
        a[i] === b[j]
          ? common[(i + 1) * width + j + 1]! + 1
          : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  const match = new Int32Array(a.length).fill(-1);
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) match[i++] = j++;
    else if (common[(i + 1) * width + j]! >= common[i * width + j + 1]!) i++;
    else j++;
  }
  return match;
}
