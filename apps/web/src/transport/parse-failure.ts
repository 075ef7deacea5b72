/**
 * Words for why a gateway response could not be read. A zod error's first issue, named by its
 * path, reads better than the JSON dump in its `message`.
 */
export function describeParseFailure(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const issue: unknown = error.issues[0];
    if (
      issue &&
      typeof issue === 'object' &&
      'message' in issue &&
      'path' in issue &&
      Array.isArray(issue.path)
    ) {
      const path = issue.path.join('.');
      return path ? `${path}: ${String(issue.message)}` : String(issue.message);
    }
  }
  return error instanceof Error ? error.message : String(error);
}
