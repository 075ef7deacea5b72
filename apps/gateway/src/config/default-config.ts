import type { Config } from './config-schema.js';
import { configSchema } from './config-schema.js';

/**
 * What `npm start` runs without a config file: loopback only, one target for this machine's own
 * sshd. Its host key is learned on first use (the person sees the fingerprint and decides), because
 * an embedded default cannot know it in advance.
 */
export function defaultConfig(dataDir: string): Config {
  return configSchema.parse({
    listen: { host: '127.0.0.1', port: 8022 },
    dataDir,
    targets: [
      {
        name: 'localhost',
        label: 'This machine (127.0.0.1:22)',
        host: '127.0.0.1',
        port: 22,
        hostKeys: { trustOnFirstUse: true },
      },
    ],
  });
}
