/** What `vigil` was asked to do, from its arguments. */
export type Command = { kind: 'help' } | { kind: 'serve'; configPath: string | undefined };

export const USAGE = `Usage: vigil [--config FILE]

  -c, --config FILE   YAML configuration (default: $VIGIL_CONFIG, else the embedded default:
                      listen on 127.0.0.1:8022, one target for this machine's sshd)
  -h, --help          show this help
`;

export class UsageError extends Error {}

export function parseCommandLine(args: readonly string[], env: NodeJS.ProcessEnv): Command {
  let configPath = env.VIGIL_CONFIG || undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-c' || arg === '--config') {
      configPath = args[++i];
      if (!configPath) throw new UsageError(`${arg} needs a file name`);
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
    } else {
      throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return { kind: 'serve', configPath };
}
