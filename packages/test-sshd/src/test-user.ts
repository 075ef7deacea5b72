import { randomBytes } from 'node:crypto';
import { chown, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runCommand } from '@vigil/test-processes';

export const TEST_USER = 'vigil-test';
const LOGIN_SHELL = '/bin/bash';
/** Root-only, so the password of a real local account is not readable by everyone on the machine. */
const PASSWORD_FILE = '/var/lib/vigil-test/password';

export interface TestUser {
  name: string;
  password: string;
}

/**
 * The throwaway account every fixture logs in as. Fixtures start in parallel (in one process and
 * in several vitest workers) and each sets the password, so the password is one per machine:
 * otherwise a fixture starting would break the logins of one already running.
 */
export async function ensureTestUser(): Promise<TestUser> {
  const password = await machinePassword();
  await ensureAccount();
  await runCommand('chpasswd', [], { input: `${TEST_USER}:${password}\n` });
  return { name: TEST_USER, password };
}

async function machinePassword(): Promise<string> {
  const existing = await readPassword();
  if (existing !== undefined) return existing;
  await mkdir(dirname(PASSWORD_FILE), { recursive: true, mode: 0o700 });
  // Written aside then linked into place: link() fails if another process won the race, and a
  // reader never sees a half-written file.
  const draft = `${PASSWORD_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, PASSWORD_FILE);
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
  } finally {
    await rm(draft, { force: true });
  }
  const password = await readPassword();
  if (password === undefined) throw new Error(`${PASSWORD_FILE} is empty; delete it to get a new password`);
  return password;
}

async function readPassword(): Promise<string | undefined> {
  try {
    const password = (await readFile(PASSWORD_FILE, 'utf8')).trim();
    return password === '' ? undefined : password;
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function ensureAccount(): Promise<void> {
  let account = await passwdEntry();
  if (account === undefined) {
    try {
      await runCommand('useradd', ['--create-home', '--shell', LOGIN_SHELL, TEST_USER]);
    } catch (error) {
      // A parallel fixture may have created it first; only a still-missing account is an error.
      if ((await passwdEntry()) === undefined) throw error;
    }
    account = await passwdEntry();
    if (account === undefined) throw new Error(`useradd did not create ${TEST_USER}`);
  }
  if (account.shell !== LOGIN_SHELL) await runCommand('usermod', ['--shell', LOGIN_SHELL, TEST_USER]);
  // The account may outlive its home (a cleaned /home in a reused container): sshd would still
  // log in, but into `/` with a warning in the terminal.
  if (!(await exists(account.home))) {
    await mkdir(account.home, { recursive: true, mode: 0o750 });
    await chown(account.home, account.uid, account.gid);
  }
}

interface PasswdEntry {
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

async function passwdEntry(): Promise<PasswdEntry | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid, , home, shell] = line.split(':');
    if (name === TEST_USER && uid !== undefined && gid !== undefined && home !== undefined) {
      return { uid: Number(uid), gid: Number(gid), home, shell: shell ?? '' };
    }
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
