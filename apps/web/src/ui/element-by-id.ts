/**
 * The page's fixed markup lives in index.html; modules look their elements up once, by id, and
 * fail loudly at start-up if the markup and the code disagree.
 */
export function elementById<T extends HTMLElement>(
  id: string,
  type: new () => T,
  root: Document = document,
): T {
  const element = root.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or is not a ${type.name}`);
  return element;
}
