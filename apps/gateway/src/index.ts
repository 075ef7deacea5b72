export { buildApp, DEFAULT_WEB_ROOT } from './app.js';
export { type Config, configSchema } from './config/config-schema.js';
export { defaultConfig } from './config/default-config.js';
export { ConfigError, parseConfig } from './config/load-config.js';
/** For the bench's bare-ssh2 baseline: the same keepalive request on the same ticks, nothing else. */
export { CheckTicks } from './heartbeat/check-ticks.js';
export { sendKeepalive } from './ssh/keepalive-request.js';
