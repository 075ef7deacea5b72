import { describe, expect, it } from 'vitest';
import { haproxyConfig, PIN_HEADER } from './haproxy-config.js';

const input = {
  port: 18080,
  backends: [
    { name: 'replica-1', url: 'http://127.0.0.1:18001' },
    { name: 'replica-2', url: 'http://127.0.0.1:18002/' },
  ],
  adminSocket: '/t/admin.sock',
  checkIntervalMs: 250,
  tunnelTimeoutSeconds: 120,
};

/** The lines of one section (`frontend vigil`, `backend replicas`…), trimmed, without the header. */
function section(config: string, header: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(header);
  expect(start, `no "${header}" section`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.indexOf('');
  return rest.slice(0, end < 0 ? undefined : end).map((line) => line.trim());
}

describe('haproxyConfig', () => {
  it('listens on 127.0.0.1 only, refuses /internal/ (also percent-encoded) and sets X-Forwarded-For', () => {
    const frontend = section(haproxyConfig(input), 'frontend vigil');
    expect(frontend[0]).toBe('bind 127.0.0.1:18080');
    expect(frontend).toContain('http-request deny deny_status 403 if { path,url_dec -m beg /internal/ }');
    expect(frontend).toContain('http-request set-header X-Forwarded-For %[src]');
    expect(frontend.at(-1)).toBe('default_backend replicas');
  });

  it('balances round-robin over every replica, checking GET /readyz', () => {
    expect(section(haproxyConfig(input), 'backend replicas')).toEqual([
      'balance roundrobin',
      'option httpchk',
      'http-check send meth GET uri /readyz',
      'http-check expect status 200',
      'default-server inter 250 fall 2 rise 1',
      'server replica-1 127.0.0.1:18001 check',
      'server replica-2 127.0.0.1:18002 check',
    ]);
  });

  it('pins a request naming a replica in the pin header to that replica alone', () => {
    const config = haproxyConfig(input);
    expect(section(config, 'frontend vigil')).toContain(
      `use_backend pin-replica-2 if { req.hdr(${PIN_HEADER}) -m str replica-2 }`,
    );
    expect(section(config, 'backend pin-replica-2')).toEqual(['server replica-2 127.0.0.1:18002']);
  });

  it('keeps WebSockets open for the tunnel timeout and opens the runtime API at admin level', () => {
    const config = haproxyConfig(input);
    expect(section(config, 'defaults')).toContain('timeout tunnel 120s');
    expect(section(config, 'global')).toContain('stats socket /t/admin.sock mode 600 level admin');
  });

  it('refuses backends it could not write safely into the file', () => {
    const withBackends = (backends: { name: string; url: string }[]) => () =>
      haproxyConfig({ ...input, backends });
    expect(withBackends([])).toThrow('at least one backend');
    expect(withBackends([{ name: 'a b', url: 'http://127.0.0.1:1' }])).toThrow('not a valid server name');
    expect(withBackends([{ name: 'a', url: 'https://127.0.0.1:1' }])).toThrow('expected http://HOST:PORT');
    expect(withBackends([{ name: 'a', url: 'http://127.0.0.1:1/x' }])).toThrow('expected http://HOST:PORT');
    const twice = [
      { name: 'a', url: 'http://127.0.0.1:1' },
      { name: 'a', url: 'http://127.0.0.1:2' },
    ];
    expect(withBackends(twice)).toThrow('same name');
  });
});
