import { open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { hashPassword } from './auth/password-hash.js';
import { editLocalUsers, type LocalUserEdit, type UserChange } from './config/local-users-file.js';
import { readNewPassword } from './password-prompt.js';

/**
 * `vigil user add|passwd|remove`: reads the password (for add and passwd), makes the change to
 * the config file and says on `stderr` what was done and that the gateway must restart.
 */
export async function runUserCommand(
  configPath: string,
  change: UserChange,
  stdin: Readable & { isTTY?: boolean },
  stderr: Writable,
): Promise<void> {
  const edit: LocalUserEdit =
    change.action === 'remove'
      ? change
      : { ...change, passwordHash: await hashPassword(await readNewPassword(stdin, stderr)) };
  const text = await readFile(configPath, 'utf8');
  await replaceFile(configPath, editLocalUsers(text, configPath, edit));
  stderr.write(
    `vigil: ${whatWasDone(change, configPath)}; restart the gateway (or send it SIGTERM and let your service manager restart it) to apply\n`,
  );
}

function whatWasDone(change: UserChange, file: string): string {
  if (change.action === 'add') return `added user "${change.name}" to ${file}`;
  if (change.action === 'passwd') return `changed the password of user "${change.name}" in ${file}`;
  return `removed user "${change.name}" from ${file}`;
}

/**
 * Writes `text` as the new content of `path` in one rename, so nothing ever reads half a
 * config, with the old file's mode, owner and group (run through sudo, a new file would be
 * root's, and a 0600 config then unreadable by the gateway).
 */
async function replaceFile(path: string, text: string): Promise<void> {
  // Through a symbolic link, the file it points at is the one to replace.
  const target = await realpath(path);
  const { mode, uid, gid } = await stat(target);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  // Private from the start: the file holds password hashes before its mode is set.
  const file = await open(temporary, 'wx', 0o600);
  try {
    try {
      await file.writeFile(text);
      const created = await file.stat();
      if (created.uid !== uid || created.gid !== gid) await file.chown(uid, gid);
      await file.chmod(mode & 0o7777);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
