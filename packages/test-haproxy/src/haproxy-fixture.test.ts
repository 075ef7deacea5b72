import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type HaproxyFixture, PIN_HEADER, startHaproxy } from './index.js';

/** A stand-in for a gateway replica: says its name, echoes WebSocket messages, fails /readyz on demand. */
interface TinyBackend {
  name: string;
  url: string;
  ready: boolean;
  /** Paths it was asked for, /readyz checks left out. */
  seen: string[];
  close(): Promise<void>;
}

async function startBackend(name: string): Promise<TinyBackend> {
  const backend = { name, url: '', ready: true, seen: [] as string[], close: async () => {} };
  const server: Server = createServer((request, response) => {
    if (request.url === '/readyz') {
      response.writeHead(backend.ready ? 200 : 503).end();
      return;
    }
    backend.seen.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ name, forwardedFor: request.headers['x-forwarded-for'] ?? null }));
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) => {
    socket.on('message', (data) => socket.send(`${name}:${String(data)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  backend.url = `http://127.0.0.1:${address.port}`;
  backend.close = async () => {
    for (const client of sockets.clients) client.terminate();
    await new Promise((resolve) => sockets.close(resolve));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return backend;
}

let a: TinyBackend;
let b: TinyBackend;
let balancer: HaproxyFixture;

beforeAll(async () => {
  [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
  balancer = await startHaproxy({
    backends: [
      { name: 'a', url: a.url },
      { name: 'b', url: b.url },
    ],
    checkIntervalMs: 200,
  });
  await Promise.all([balancer.untilServerStatus('a', 'UP'), balancer.untilServerStatus('b', 'UP')]);
}, 30_000);
afterAll(async () => {
  await balancer?.stop();
  await Promise.all([a?.close(), b?.close()]);
});

async function nameBehind(headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${balancer.url}/api/who`, { headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { name: string }).name;
}

/** Opens a WebSocket through the balancer, sends one message and returns the echo. */
async function echoThrough(message: string, headers: Record<string, string> = {}): Promise<string> {
  const socket = new WebSocket(`${balancer.url.replace('http', 'ws')}/ws`, { headers });
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const echo = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(message);
    return await echo;
  } finally {
    socket.close();
  }
}

describe('startHaproxy', { timeout: 30_000 }, () => {
  it('sends consecutive requests to the replicas in turn, with the client address in X-Forwarded-For', async () => {
    const names = [];
    for (let i = 0; i < 4; i++) names.push(await nameBehind());
    expect(new Set([names[0], names[1]])).toEqual(new Set(['a', 'b']));
    expect(names[2]).toBe(names[0]);
    expect(names[3]).toBe(names[1]);
    // The client's own claim is replaced, not trusted: the balancer is the edge.
    const response = await fetch(`${balancer.url}/api/who`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(await response.json()).toMatchObject({ forwardedFor: '127.0.0.1' });
  });

  it('passes WebSocket upgrades through, in turn as well', async () => {
    const echoes = [await echoThrough('hello'), await echoThrough('hello')];
    expect(echoes.sort()).toEqual(['a:hello', 'b:hello']);
  });

  it('pins a request or a WebSocket to the replica the pin header names', async () => {
    for (let i = 0; i < 3; i++) expect(await nameBehind({ [PIN_HEADER]: 'b' })).toBe('b');
    expect(await echoThrough('pinned', { [PIN_HEADER]: 'a' })).toBe('a:pinned');
  });

  it('refuses /internal/ at the balancer, percent-encoded too; no replica sees it', async () => {
    for (const path of ['/internal/hop', '/%69nternal/hop']) {
      const response = await fetch(`${balancer.url}${path}`);
      expect(response.status).toBe(403);
    }
    expect([...a.seen, ...b.seen].filter((path) => /internal/.test(path))).toEqual([]);
  });

  it('takes a replica out when its /readyz fails and back when it passes again', async () => {
    a.ready = false;
    await balancer.untilServerStatus('a', 'DOWN');
    for (let i = 0; i < 4; i++) expect(await nameBehind()).toBe('b');
    expect(balancer.log()).toMatch(/Server replicas\/a is DOWN/);
    a.ready = true;
    await balancer.untilServerStatus('a', 'UP');
    expect(new Set([await nameBehind(), await nameBehind()])).toEqual(new Set(['a', 'b']));
  });

  it('takes a replica out and back through the runtime API', async () => {
    await balancer.setServerState('b', 'maint');
    expect(await balancer.serverStatus('b')).toBe('MAINT');
    for (let i = 0; i < 3; i++) expect(await nameBehind()).toBe('a');
    await balancer.setServerState('b', 'ready');
    await balancer.untilServerStatus('b', 'UP');
    await expect(balancer.setServerState('nobody', 'maint')).rejects.toThrow(/refused/);
  });

  it('stops haproxy, frees the port and removes its folder; stop() is safe twice', async () => {
    const { dir, pid, port } = balancer;
    await Promise.all([balancer.stop(), balancer.stop()]);
    await balancer.stop();
    expect(existsSync(dir)).toBe(false);
    expect(isLive(pid)).toBe(false);
    await new Promise<void>((resolve, reject) => {
      const probe = createTcpServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});

function isLive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
