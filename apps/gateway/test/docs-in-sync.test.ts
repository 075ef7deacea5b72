import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../src/config/config-schema.js';
import { parseConfig } from '../src/config/load-config.js';

const repo = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, repo), 'utf8');

describe('documentation and shipped files stay true', () => {
  it('documents exactly the error codes the protocol has', async () => {
    const protocol = await read('docs/protocol.md');
    const documented = [...protocol.matchAll(/^\| `([A-Z_]+)` \| (?:yes|no) \|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...ERROR_CODES]);
  });

  it('ships a docker-compose config that the gateway accepts', async () => {
    const config = parseConfig(await read('deploy/vigil.yaml'), 'deploy/vigil.yaml', '/etc/vigil');
    expect(config.targets.map((t) => t.host)).toEqual(['demo-target']);
  });

  it('has a row in the top-level table for every setting of its sections', async () => {
    const docs = await read('docs/configuration.md');
    const rows = new Set([...docs.matchAll(/^\| `([A-Za-z0-9.]+)` \|/gm)].map((m) => m[1]));
    const sections = [
      'listen',
      'browserHeartbeat',
      'sessions',
      'limits',
      'recordings',
      'audit',
      'cluster',
    ] as const;
    const settings = sections.flatMap((section) => settingsOf(configSchema.shape[section], section));
    expect(settings.filter((setting) => !rows.has(setting))).toEqual([]);
  });

  it('keeps the configuration example in docs valid', async () => {
    const docs = await read('docs/configuration.md');
    const example = docs.match(/## Example\n```yaml\n([\s\S]*?)```/)?.[1];
    expect(example).toBeDefined();
    expect(parseConfig(example!, 'configuration.md', '/etc/vigil').targets).toHaveLength(2);
  });
});

/** The leaf key paths of a config section (`recordings.s3.bucket`…), through optional, default and prefault. */
function settingsOf(schema: z.ZodType | undefined, path: string): string[] {
  let inner: unknown = schema;
  while ((inner as { _zod?: { def?: { innerType?: unknown } } })?._zod?.def?.innerType)
    inner = (inner as { _zod: { def: { innerType: unknown } } })._zod.def.innerType;
  if (!(inner instanceof z.ZodObject)) return [path];
  return Object.entries(inner.shape).flatMap(([key, value]) =>
    settingsOf(value as z.ZodType, `${path}.${key}`),
  );
}
