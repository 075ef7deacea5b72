import { dirname, resolve } from 'node:path';
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Config, configSchema } from './config-schema.js';

/** A config problem a person can fix: where (file:line:col), which key, and what is wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return text ? `${text}.${String(part)}` : String(part);
  }, '');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known key closest to a typo, if it is close enough to be what was meant. */
export function closestKey(typo: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(typo.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(typo, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Finds the deepest YAML node on `path`, so a missing key is reported at its parent's line. */
function nodeAt(root: Node | null, path: readonly PropertyKey[], lastKey?: string): Node | undefined {
  let node: Node | null | undefined = root;
  let found: Node | undefined = root ?? undefined;
  for (const part of [...path, ...(lastKey === undefined ? [] : [lastKey])]) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === part);
      // Unknown keys are best pointed at by the key itself, not by its value.
      node = (part === lastKey ? pair?.key : pair?.value) as Node | null | undefined;
    } else if (node && 'items' in node && Array.isArray(node.items) && typeof part === 'number') {
      node = node.items[part] as Node | undefined;
    } else {
      break;
    }
    if (!node) break;
    found = node;
  }
  return found;
}

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
}

/** Looks through default/optional wrappers (refinements live on the schema itself in zod 4). */
function defOf(schema: unknown): SchemaDef | undefined {
  let def = (schema as { def?: SchemaDef } | undefined)?.def;
  while (def?.innerType) def = (def.innerType as { def?: SchemaDef }).def;
  return def;
}

function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let def = defOf(schema);
  for (const part of path) {
    if (def?.type === 'object' && typeof part === 'string') def = defOf(def.shape?.[part]);
    else if (def?.type === 'array') def = defOf(def.element);
    else return [];
  }
  return Object.keys(def?.shape ?? {});
}

/**
 * The YAML document of a config, before any validation, and `at` to name a place in it
 * (file:line:col). YAML syntax errors are refused here.
 */
export function parseConfigDocument(
  text: string,
  source: string,
): { doc: Document.Parsed; at: (offset: number | undefined) => string } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return source;
    const { line, col } = lineCounter.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${at(e.pos[0])}: YAML: ${e.message.split('\n')[0]}`));
  }
  return { doc, at };
}

/**
 * Parses and validates a YAML config. Relative paths are resolved against `baseDir` (the
 * config file's folder), so a config means the same whatever directory Vigil starts in.
 */
export function parseConfig(text: string, source: string, baseDir: string): Config {
  const { doc, at } = parseConfigDocument(text, source);
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => {
          const node = nodeAt(doc.contents, issue.path, key);
          const suggestion = closestKey(key, knownKeysAt(configSchema, issue.path));
          const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
          return `${at(node?.range?.[0])}: ${keyPath([...issue.path, key])}: unknown key${hint}`;
        });
      }
      const node = nodeAt(doc.contents, issue.path);
      return [`${at(node?.range?.[0])}: ${keyPath(issue.path) || '(top level)'}: ${issue.message}`];
    });
    throw new ConfigError(problems);
  }
  return resolvePaths(result.data, baseDir);
}

function resolvePaths(config: Config, baseDir: string): Config {
  const hostKeys = <T extends { knownHosts?: string | undefined }>(h: T): T =>
    h.knownHosts === undefined ? h : { ...h, knownHosts: resolve(baseDir, h.knownHosts) };
  return {
    ...config,
    dataDir: resolve(baseDir, config.dataDir),
    ...(config.webRoot === undefined ? {} : { webRoot: resolve(baseDir, config.webRoot) }),
    audit: config.audit.database === undefined ? {} : { database: resolve(baseDir, config.audit.database) },
    recordings:
      config.recordings.directory === undefined
        ? config.recordings
        : { ...config.recordings, directory: resolve(baseDir, config.recordings.directory) },
    cluster:
      config.cluster.secretFile === undefined
        ? config.cluster
        : { ...config.cluster, secretFile: resolve(baseDir, config.cluster.secretFile) },
    targets: config.targets.map((t) => ({
      ...t,
      hostKeys: hostKeys(t.hostKeys),
      ...(t.credentials === undefined
        ? {}
        : {
            credentials: {
              privateKeyFile: resolve(baseDir, t.credentials.privateKeyFile),
              ...(t.credentials.passphraseFile === undefined
                ? {}
                : { passphraseFile: resolve(baseDir, t.credentials.passphraseFile) }),
            },
          }),
    })),
    ...(config.freeFormTargets === undefined
      ? {}
      : {
          freeFormTargets: { ...config.freeFormTargets, hostKeys: hostKeys(config.freeFormTargets.hostKeys) },
        }),
  };
}

export function configDir(path: string): string {
  return dirname(resolve(path));
}
