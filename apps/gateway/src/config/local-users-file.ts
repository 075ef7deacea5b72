import { type Document, isMap, isScalar, isSeq, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { editKeepingLayout } from './edit-keeping-layout.js';
import { ConfigError, configDir, parseConfig, parseConfigDocument } from './load-config.js';

/** What `vigil user …` was asked to do; the password is not part of it, it never passes argv. */
export type UserChange =
  | { action: 'add'; name: string; groups: readonly string[]; admin: boolean }
  | { action: 'passwd'; name: string }
  | { action: 'remove'; name: string };

/** A change with the hash of the password it sets, ready to be written. */
export type LocalUserEdit =
  | Extract<UserChange, { action: 'remove' }>
  | (Exclude<UserChange, { action: 'remove' }> & { passwordHash: string });

/** An edit that cannot be made to this file; the message says why. */
export class LocalUserEditError extends Error {
  override name = 'LocalUserEditError';
}

const USERS = ['auth', 'local', 'users'];
const ADMINS = ['auth', 'admins', 'users'];

/**
 * Makes `edit` to the config text read from `source` and returns the new text, the operator's
 * comments and layout kept. An edit after which the gateway would refuse the config is refused.
 */
export function editLocalUsers(text: string, source: string, edit: LocalUserEdit): string {
  const { doc: parsed } = parseConfigDocument(text, source);
  const edited = editKeepingLayout(text, parsed, (doc) => {
    if (edit.action === 'add') addUser(doc, edit);
    else if (edit.action === 'passwd') changePassword(doc, edit.name, edit.passwordHash);
    else removeUser(doc, edit.name);
  });
  try {
    parseConfig(edited, `${source} (after the change)`, configDir(source));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((problem) => `  ${problem}`).join('\n');
    throw new LocalUserEditError(`the change would make ${source} invalid, so it was not made:\n${problems}`);
  }
  return edited;
}

function addUser(doc: Document, edit: Extract<LocalUserEdit, { action: 'add' }>): void {
  if (findUser(doc, edit.name)) {
    throw new LocalUserEditError(
      `user "${edit.name}" already exists; to change the password: vigil user passwd ${edit.name}`,
    );
  }
  const user = doc.createNode({
    name: edit.name,
    passwordHash: edit.passwordHash,
    ...(edit.groups.length > 0 ? { groups: edit.groups } : {}),
  });
  // As docs/configuration.md writes them: `passwordHash: "$scrypt$…"` and `groups: [ops]`.
  (user.get('passwordHash', true) as Scalar).type = Scalar.QUOTE_DOUBLE;
  const groups = user.get('groups', true);
  if (isSeq(groups)) groups.flow = true;
  listAt(doc, USERS, false).add(user);
  if (edit.admin) {
    const admins = listAt(doc, ADMINS, true);
    if (indexOfName(admins, edit.name) === -1) admins.add(doc.createNode(edit.name));
  }
}

function changePassword(doc: Document, name: string, passwordHash: string): void {
  existingUser(doc, name).user.set('passwordHash', passwordHash);
}

function removeUser(doc: Document, name: string): void {
  const { users, index } = existingUser(doc, name);
  users.delete(index);
  // An empty `users` list is invalid; with no users left, local sign-in is off altogether.
  if (users.items.length === 0) doc.deleteIn(['auth', 'local']);
  // Grants by name go too: left behind, they would hand this user's rights to whoever is
  // given the name next (an OIDC or proxy user of that name, say).
  const targets = doc.get('targets', true);
  const grants = isSeq(targets) ? targets.items.map((_, i) => ['targets', i, 'allow', 'users']) : [];
  for (const path of [ADMINS, ...grants]) {
    const names = doc.getIn(path, true);
    const index = isSeq(names) ? indexOfName(names, name) : -1;
    if (index !== -1) (names as YAMLSeq).delete(index);
  }
}

function findUser(doc: Document, name: string): { users: YAMLSeq; index: number; user: YAMLMap } | undefined {
  const users = doc.getIn(USERS, true);
  if (!isSeq(users)) return undefined;
  const index = users.items.findIndex((item) => isMap(item) && item.get('name') === name);
  return index === -1 ? undefined : { users, index, user: users.items[index] as YAMLMap };
}

function existingUser(doc: Document, name: string): NonNullable<ReturnType<typeof findUser>> {
  const found = findUser(doc, name);
  if (!found) throw new LocalUserEditError(`there is no local user "${name}"`);
  return found;
}

function indexOfName(list: YAMLSeq, name: string): number {
  return list.items.findIndex((item) => isScalar(item) && item.value === name);
}

/** The list at `path`, made along with the maps above it where the file does not have them yet. */
function listAt(doc: Document, path: readonly string[], flow: boolean): YAMLSeq {
  for (let depth = 0; depth <= path.length; depth++) {
    const at = path.slice(0, depth);
    const isList = depth === path.length;
    let node = doc.getIn(at, true);
    // A key with nothing after it (`local:`), like an empty file, is as good as missing.
    if (node == null || (isScalar(node) && node.value === null)) {
      doc.setIn(at, doc.createNode(isList ? [] : {}, { flow: isList && flow }));
      node = doc.getIn(at, true);
    }
    if (isList ? !isSeq(node) : !isMap(node)) {
      const where = at.length > 0 ? at.join('.') : 'the top level';
      throw new LocalUserEditError(`cannot add the user: ${where} is not a ${isList ? 'list' : 'map'}`);
    }
  }
  return doc.getIn(path, true) as YAMLSeq;
}
