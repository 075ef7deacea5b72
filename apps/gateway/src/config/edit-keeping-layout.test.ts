import { describe, expect, it } from 'vitest';
import { parseDocument, type YAMLSeq } from 'yaml';
import { editKeepingLayout } from './edit-keeping-layout.js';

/** Laid out as people write YAML and as the yaml library never renders it. */
const handWritten = `# Vigil
auth:
  local:                      # users kept in this file
    users:
      - name: alice           # on call
        groups: [ ops ]

  admins: { users: [alice] }  # may read the audit log
targets: []
`;

const edit = (text: string, change: (users: YAMLSeq) => void) => {
  const doc = parseDocument(text);
  return editKeepingLayout(text, doc, () => change(doc.getIn(['auth', 'local', 'users'], true) as YAMLSeq));
};

describe('editKeepingLayout', () => {
  it('changes only the lines of the edit, next to lines the renderer would lay out otherwise', () => {
    const added = edit(handWritten, (users) => users.add({ name: 'bob' }));
    expect(added).toBe(handWritten.replace('[ ops ]\n', '[ ops ]\n      - name: bob\n'));
    expect(edit(added, (users) => users.delete(1))).toBe(handWritten);
  });

  it('renders a long value on one line', () => {
    const long = 'x'.repeat(200);
    expect(edit(handWritten, (users) => users.add({ name: long }))).toContain(`- name: ${long}\n`);
  });

  it('renders an empty file from scratch', () => {
    const doc = parseDocument('');
    expect(editKeepingLayout('', doc, () => doc.setIn(['auth', 'local'], { users: [] }))).toBe(
      'auth:\n  local:\n    users: []\n',
    );
  });
});
