import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/password-hash.js';
import { parseConfig } from '../src/config/load-config.js';

/** The built CLI, as an operator runs it. */
const VIGIL = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function vigil(args: string[], stdin: string): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [VIGIL, ...args], (error, _stdout, stderr) =>
      resolve({ status: error ? Number(error.code) : 0, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

const config = `# Only this machine may connect.
listen:
  host: 127.0.0.1   # loopback
`;

describe('vigil user', () => {
  let folder: string;
  let file: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'vigil-user-'));
    file = join(folder, 'vigil.yaml');
    await writeFile(file, config);
    await chmod(file, 0o600);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('adds a user whose password then verifies, keeping the file private and commented', async () => {
    const { status, stderr } = await vigil(['user', 'add', 'bob', '--admin', '-c', file], 'correct horse\n');
    expect(stderr).toBe(
      `vigil: added user "bob" to ${file}; restart the gateway (or send it SIGTERM and let your service manager restart it) to apply\n`,
    );
    expect(status).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(config)).toBe(true);
    const auth = parseConfig(text, file, folder).auth;
    expect(auth?.admins.users).toEqual(['bob']);
    expect(await verifyPassword('correct horse', auth!.local!.users[0]!.passwordHash)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(folder)).toEqual(['vigil.yaml']);
  });

  it('leaves the file alone and exits 2 when the change is refused', async () => {
    const before = await readFile(file, 'utf8');
    const { status, stderr } = await vigil(['user', 'remove', 'bob', '-c', file], '');
    expect(stderr).toContain('configure at least one sign-in method');
    expect(status).toBe(2);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
