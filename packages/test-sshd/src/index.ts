export type { HostKey, HostKeyType } from './host-keys.js';
export { descendantsOf, type ProcessEntry } from './process-tree.js';
export { type SshdFixture, type SshdOptions, startSshd } from './sshd-fixture.js';
