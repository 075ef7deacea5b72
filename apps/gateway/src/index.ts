export { buildApp, DEFAULT_WEB_ROOT } from './app.js';
export { type Config, configSchema } from './config/config-schema.js';
export { ConfigError, parseConfig } from './config/load-config.js';
