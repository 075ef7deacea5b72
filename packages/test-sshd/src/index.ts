export type { HostKey, HostKeyType } from './host-keys.js';
export { type SshdFixture, type SshdOptions, startSshd } from './sshd-fixture.js';
