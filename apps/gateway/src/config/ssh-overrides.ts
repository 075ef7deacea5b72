import type { Config } from './config-schema.js';
import { SSH_OPTION_NAMES, type SshOptionName, type SshOptions, sshOptionsSchema } from './ssh-options.js';

export class SshOptionError extends Error {}

/**
 * Parses one `-o` argument the way ssh(1) does: `Name=value` or `Name value`, the name
 * case-insensitive. Only the options Vigil honours are accepted, so a typo is never silently ignored.
 */
export function parseSshOption(argument: string): Partial<SshOptions> {
  const match = argument.trim().match(/^([A-Za-z]+)\s*(?:=|\s)\s*(.+)$/);
  if (!match) throw new SshOptionError(`"-o ${argument}": expected Name=value`);
  const [, rawName, value] = match as unknown as [string, string, string];
  const name = SSH_OPTION_NAMES.find((n) => n.toLowerCase() === rawName.toLowerCase());
  if (!name) {
    throw new SshOptionError(
      `"-o ${argument}": unsupported option "${rawName}" (Vigil honours ${SSH_OPTION_NAMES.join(', ')})`,
    );
  }
  const parsed = sshOptionsSchema.shape[name].safeParse(value.trim());
  if (!parsed.success || parsed.data === undefined) {
    throw new SshOptionError(
      `"-o ${argument}": bad value for ${name} (${parsed.error?.issues[0]?.message ?? 'empty'})`,
    );
  }
  return { [name]: parsed.data } as Partial<SshOptions>;
}

/** Command-line options win over every config block, as in ssh(1). */
export function applySshOverrides(config: Config, overrides: Partial<SshOptions>): Config {
  if (Object.keys(overrides).length === 0) return config;
  const over = <T extends { ssh: Partial<Record<SshOptionName, unknown>> }>(block: T): T => ({
    ...block,
    ssh: { ...block.ssh, ...overrides },
  });
  return {
    ...config,
    defaults: over(config.defaults),
    targets: config.targets.map(over),
    ...(config.freeFormTargets ? { freeFormTargets: over(config.freeFormTargets) } : {}),
  };
}
