import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
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

  it('keeps the configuration example in docs valid', async () => {
    const docs = await read('docs/configuration.md');
    const example = docs.match(/## Example\n```yaml\n([\s\S]*?)```/)?.[1];
    expect(example).toBeDefined();
    expect(parseConfig(example!, 'configuration.md', '/etc/vigil').targets).toHaveLength(2);
  });
});
