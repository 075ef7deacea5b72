import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../auth/password-hash.js';
import { ConfigError, parseConfig } from './load-config.js';
import { editLocalUsers, LocalUserEditError, type UserChange } from './local-users-file.js';

const withUsers = `# Team bastion
listen:
  host: 0.0.0.0
auth:
  local:
    users:
      # the first operator
      - name: alice
        passwordHash: "$scrypt$ln=15,r=8,p=1$YYqj6RwCb8yALvNi9DssWQ==$EOYl/VkuKsD0Mi4REYSkfJ286W2U1VPs5fKZqkbFY5o="
        groups: [ops]     # on call
  admins:
    users: [alice]
targets:
  - name: web-1
    host: 10.0.0.5
    hostKeys: { knownHosts: /etc/ssh/ssh_known_hosts }
    allow: { groups: [ops] }   # everyone on call
`;

const withoutAuth = `# Only this machine may connect.
listen:
  host: 127.0.0.1
`;

let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword('correct horse');
});

const edit = (text: string, change: UserChange) =>
  editLocalUsers(text, 'vigil.yaml', change.action === 'remove' ? change : { ...change, passwordHash });
const usersOf = (text: string) => parseConfig(text, 'vigil.yaml', '/etc/vigil').auth?.local?.users;
const adminsOf = (text: string) => parseConfig(text, 'vigil.yaml', '/etc/vigil').auth?.admins.users;

describe('editLocalUsers', () => {
  it('adds a user below the others and leaves every other line as it was', async () => {
    const added = edit(withUsers, { action: 'add', name: 'bob', groups: ['ops', 'dba'], admin: false });
    expect(added).toBe(
      withUsers.replace(
        '# on call\n',
        `# on call\n      - name: bob\n        passwordHash: "${passwordHash}"\n        groups: [ops, dba]\n`,
      ),
    );
    const bob = usersOf(added)?.find((user) => user.name === 'bob');
    expect(bob?.groups).toEqual(['ops', 'dba']);
    expect(await verifyPassword('correct horse', bob!.passwordHash)).toBe(true);
  });

  it('creates auth.local in a file that has none', () => {
    const added = edit(withoutAuth, { action: 'add', name: 'bob', groups: [], admin: false });
    expect(added).toBe(
      `${withoutAuth}auth:\n  local:\n    users:\n      - name: bob\n        passwordHash: "${passwordHash}"\n`,
    );
    expect(usersOf(added)).toEqual([{ name: 'bob', passwordHash, groups: [] }]);
  });

  it('takes an empty file or a key with nothing after it as missing', () => {
    const bob = { action: 'add', name: 'bob', groups: [], admin: false } as const;
    expect(usersOf(edit('', bob))?.map((user) => user.name)).toEqual(['bob']);
    expect(usersOf(edit('auth:\n  local:   # to come\n', bob))?.map((user) => user.name)).toEqual(['bob']);
  });

  it('refuses to add a user who exists and says how to change the password', () => {
    expect(() => edit(withUsers, { action: 'add', name: 'alice', groups: [], admin: false })).toThrow(
      new LocalUserEditError('user "alice" already exists; to change the password: vigil user passwd alice'),
    );
  });

  it('makes an administrator of a user added with admin, creating auth.admins.users if need be', () => {
    const bob = { action: 'add', name: 'bob', groups: [], admin: true } as const;
    expect(edit(withUsers, bob)).toContain('    users: [alice, bob]\n');
    expect(adminsOf(edit(withUsers, bob))).toEqual(['alice', 'bob']);
    const fromScratch = edit(withoutAuth, bob);
    expect(fromScratch).toContain('  admins:\n    users: [bob]\n');
    expect(adminsOf(fromScratch)).toEqual(['bob']);
  });

  it('changes the password hash and nothing else', async () => {
    const changed = edit(withUsers, { action: 'passwd', name: 'alice' });
    const changedLines = changed.split('\n').filter((line, i) => line !== withUsers.split('\n')[i]);
    expect(changedLines).toEqual([`        passwordHash: "${passwordHash}"`]);
    expect(await verifyPassword('correct horse', usersOf(changed)![0]!.passwordHash)).toBe(true);
  });

  it('refuses to change or remove a user who does not exist', () => {
    const refusal = new LocalUserEditError('there is no local user "carol"');
    expect(() => edit(withUsers, { action: 'passwd', name: 'carol' })).toThrow(refusal);
    expect(() => edit(withUsers, { action: 'remove', name: 'carol' })).toThrow(refusal);
    expect(() => edit(withoutAuth, { action: 'remove', name: 'carol' })).toThrow(refusal);
  });

  it('removes a user together with their administrator entry', () => {
    const withBob = edit(withUsers, { action: 'add', name: 'bob', groups: [], admin: true });
    const removed = edit(withBob, { action: 'remove', name: 'alice' });
    expect(usersOf(removed)?.map((user) => user.name)).toEqual(['bob']);
    expect(adminsOf(removed)).toEqual(['bob']);
    expect(edit(withBob, { action: 'remove', name: 'bob' })).toBe(withUsers);
  });

  it("removes the user's grants by name, so a later user of that name does not inherit them", () => {
    const granted = withUsers.replace(
      '    allow: { groups: [ops] }   # everyone on call',
      '    allow: { users: [bob, carol], groups: [ops] }   # everyone on call',
    );
    const withBob = edit(granted, { action: 'add', name: 'bob', groups: [], admin: false });
    const removed = edit(withBob, { action: 'remove', name: 'bob' });
    // The edited line is the library's rendering; its comment stays.
    expect(removed).toMatch(/^ {4}allow: \{ ?users: \[carol\], groups: \[ops\] ?\} +# everyone on call$/m);
    expect(parseConfig(removed, 'vigil.yaml', '/etc/vigil').targets[0]?.allow?.users).toEqual(['carol']);
  });

  it('refuses to remove the last user when local users are the only way to sign in', () => {
    expect(() => edit(withUsers, { action: 'remove', name: 'alice' })).toThrow(
      'the change would make vigil.yaml invalid, so it was not made:\n' +
        '  vigil.yaml (after the change):5:3: auth: configure at least one sign-in method (local, oidc or trustedHeader)',
    );
  });

  it('removes local sign-in with its last user when another sign-in method is configured', () => {
    const withProxy = withUsers.replace(
      '  admins:',
      '  trustedHeader:\n    proxies: [127.0.0.1/32]\n  admins:',
    );
    const removed = edit(withProxy, { action: 'remove', name: 'alice' });
    expect(removed).not.toContain('local:');
    expect(parseConfig(removed, 'vigil.yaml', '/etc/vigil').auth?.local).toBeUndefined();
  });

  it('refuses any edit after which the gateway would refuse the config', () => {
    expect(() => edit(withUsers, { action: 'add', name: 'bob smith', groups: [], admin: false })).toThrow(
      /auth\.local\.users\[1\]\.name: letters, digits/,
    );
    const targetWithoutGrant = `${withoutAuth}targets:\n  - name: db\n    host: db.internal\n    hostKeys: { trustOnFirstUse: true }\n`;
    expect(() => edit(targetWithoutGrant, { action: 'add', name: 'bob', groups: [], admin: false })).toThrow(
      /targets\[0\]: with sign-in configured, say who may use this target/,
    );
  });

  it('refuses to edit a file with a YAML error, naming the line', () => {
    const broken = withUsers.replace('groups: [ops]     # on call', 'groups: [ops');
    expect(() => edit(broken, { action: 'add', name: 'bob', groups: [], admin: false })).toThrow(ConfigError);
    expect(() => edit(broken, { action: 'add', name: 'bob', groups: [], admin: false })).toThrow(
      /vigil\.yaml:\d+:\d+: YAML: /,
    );
  });

  it('refuses to add where the file has something else than a list of users', () => {
    expect(() =>
      edit('auth:\n  local:\n    users: alice\n', { action: 'add', name: 'bob', groups: [], admin: false }),
    ).toThrow(new LocalUserEditError('cannot add the user: auth.local.users is not a list'));
  });
});
