import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/config-schema.js';
import { parseConfig } from '../src/config/load-config.js';

const repo = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, repo), 'utf8');

/**
 * How long a browser leg can be silent before the gateway has pinged it countMax times and
 * given up: a balancer must let a WebSocket stay silent longer, or it, not the gateway, decides.
 */
function heartbeatGiveUpSeconds(): number {
  const { interval, countMax } = configSchema.parse({}).browserHeartbeat;
  return interval * (countMax + 1);
}

/** `120s`, `2m` or `120` (seconds) as nginx and HAProxy write durations. */
function seconds(duration: string): number {
  const match = /^(\d+)(s|m)?$/.exec(duration);
  if (match === null) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

describe('deploy/ examples', () => {
  it('haproxy.cfg: HAProxy accepts it', async () => {
    const path = fileURLToPath(new URL('deploy/haproxy.cfg', repo));
    const { stdout } = await promisify(execFile)('/usr/sbin/haproxy', ['-c', '-f', path]);
    expect(stdout).toMatch(/Configuration file is valid/);
  });

  it('haproxy.cfg and nginx.conf keep a silent WebSocket open longer than the browser heartbeat gives it', async () => {
    const haproxy = await read('deploy/haproxy.cfg');
    const tunnel = /^\s*timeout tunnel (\S+)$/m.exec(haproxy)?.[1];
    expect(seconds(tunnel ?? '')).toBeGreaterThan(heartbeatGiveUpSeconds());
    const nginx = await read('deploy/nginx.conf');
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const value = new RegExp(`^\\s*${directive} (\\S+);$`, 'm').exec(nginx)?.[1];
      expect(seconds(value ?? ''), directive).toBeGreaterThan(heartbeatGiveUpSeconds());
    }
  });

  it('haproxy.cfg and nginx.conf refuse /internal/ and check /readyz', async () => {
    const haproxy = await read('deploy/haproxy.cfg');
    expect(haproxy).toMatch(
      /^\s*http-request deny deny_status 403 if \{ path,url_dec -m beg \/internal\/ \}$/m,
    );
    expect(haproxy).toMatch(/^\s*http-check send meth GET uri \/readyz$/m);
    const nginx = await read('deploy/nginx.conf');
    expect(nginx).toMatch(/location \^~ \/internal\/ \{\s*return 403;\s*\}/);
  });

  it("vigil-cluster.yaml, docker-compose's replica config, is one the gateway accepts", async () => {
    const config = parseConfig(await read('deploy/vigil-cluster.yaml'), 'vigil-cluster.yaml', '/etc/vigil');
    expect(config.targets.map((t) => t.host)).toEqual(['demo-target']);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8022, trustProxy: ['172.30.42.2/32'] });
    expect(config.recordings.s3).toMatchObject({ bucket: 'vigil-recordings', endpoint: 'http://s3:7480' });
  });
});
