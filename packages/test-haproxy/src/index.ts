export { type HaproxyBackend, PIN_HEADER } from './haproxy-config.js';
export { type HaproxyFixture, type HaproxyOptions, startHaproxy } from './haproxy-fixture.js';
export type { ServerState } from './runtime-api.js';
