import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { type GatewayUnderTest, pinnedTarget, startGateway } from './support/gateway-under-test.js';

let gateway: GatewayUnderTest;

beforeAll(async () => {
  gateway = await startGateway((sshd) => ({ targets: [pinnedTarget(sshd)] }));
});
afterAll(() => gateway?.stop());

describe('session recordings', () => {
  it('are valid asciicast v2 that replays to exactly what the session printed, without typed secrets', async () => {
    const client = await gateway.connect({}, undefined);
    client.open({
      target: 'fixture',
      username: gateway.sshd.user,
      auth: { method: 'password', password: gateway.sshd.password },
      cols: 90,
      rows: 30,
    });
    const { sessionId } = await client.message('opened');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${#s} is the remote shell's, not JavaScript's.
    client.type("read -s -p 'secret: ' s; echo; echo \"got ${#s} chars\"; printf '漢字 🙂\\n'\r");
    await client.outputMatching(/secret: $/);
    client.type('hunter2\r');
    await client.outputMatching(/^got 7 chars\r?$/m);
    client.send({ type: 'resize', cols: 100, rows: 40 });
    client.type('exit\r');
    await client.message('exit');

    const path = join(gateway.config.dataDir, 'recordings', `${sessionId}.cast`);
    let text = '';
    await eventually('the recording to be complete', async () => {
      text = await readFile(path, 'utf8').catch(() => '');
      return text.includes('"o","logout') || text.includes('exit');
    });
    const [header, ...events] = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(header).toMatchObject({
      version: 2,
      width: 90,
      height: 30,
      title: `${gateway.sshd.user}@fixture`,
    });
    expect(typeof header.timestamp).toBe('number');
    let previous = 0;
    for (const event of events) {
      expect(event).toEqual([expect.any(Number), expect.stringMatching(/^[or]$/), expect.any(String)]);
      expect(event[0]).toBeGreaterThanOrEqual(previous);
      previous = event[0];
    }
    expect(events.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['100x40']);
    await client.closed();
    const replayed = events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(replayed).toBe(client.text());
    expect(replayed).toContain('漢字 🙂');
    expect(text).not.toContain('hunter2');
  });
});
