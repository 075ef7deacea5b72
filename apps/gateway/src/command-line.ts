import type { UserChange } from './config/local-users-file.js';
import type { SshOptions } from './config/ssh-options.js';
import { parseSshOption, SshOptionError } from './config/ssh-overrides.js';

/** What `vigil` was asked to do, from its arguments. */
export type Command =
  | { kind: 'help' }
  | { kind: 'serve'; configPath: string | undefined; sshOverrides: Partial<SshOptions> }
  /** `vigil hash-password`: a password from standard input, hashed for `auth.local.users`. */
  | { kind: 'hash-password' }
  /** `vigil audit export`: the audit trail as JSON lines on standard output. */
  | { kind: 'audit-export'; configPath: string | undefined; afterId: number }
  /** `vigil user add|passwd|remove`: a change to the local users in the config file. */
  | { kind: 'user'; configPath: string; change: UserChange };

const USER_ACTIONS = ['add', 'passwd', 'remove'] as const;

export const USAGE = `Usage: vigil [--config FILE] [-o Option=value]...
       vigil audit export [--config FILE] [--after ID]
       vigil user add NAME [--group GROUP]... [--admin] [--config FILE] < password-file
       vigil user passwd NAME [--config FILE] < password-file
       vigil user remove NAME [--config FILE]
       vigil hash-password < password-file

  -c, --config FILE   YAML configuration (default: $VIGIL_CONFIG, else the embedded default:
                      listen on 127.0.0.1:8022, one target for this machine's sshd)
  -o Option=value     an ssh_config(5) option for every target, as ssh(1) takes it:
                      ServerAliveInterval, ServerAliveCountMax, TCPKeepAlive, TCPKeepAliveDelay
  --after ID          audit export: only events after this id (for incremental exports)
  --group GROUP       user add: a group of the new user (repeat for more)
  --admin             user add: also list the user in auth.admins.users
  -h, --help          show this help

user and hash-password read the password from standard input (at a terminal: asked twice);
user commands edit the config file, which the gateway reads when it starts.
`;

export class UsageError extends Error {}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let args = argv;
  if (args[0] === 'hash-password') {
    if (args.length > 1)
      throw new UsageError('hash-password reads the password from standard input, not the command line');
    return { kind: 'hash-password' };
  }
  const auditExport = args[0] === 'audit' && args[1] === 'export';
  if (args[0] === 'audit' && !auditExport) throw new UsageError('the audit command is "vigil audit export"');
  const userAction = USER_ACTIONS.find((action) => args[0] === 'user' && args[1] === action);
  if (args[0] === 'user' && !userAction)
    throw new UsageError('the user commands are "vigil user add|passwd|remove"');
  if (auditExport || userAction) args = args.slice(2);
  let afterId = 0;
  let name: string | undefined;
  const groups: string[] = [];
  let admin = false;
  let configPath = env.VIGIL_CONFIG || undefined;
  const sshOverrides: Partial<SshOptions> = {};
  const argumentAt = (flag: string, index: number) => {
    const value = args[index];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-c' || arg === '--config') configPath = argumentAt(arg, ++i);
    else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
    else if (auditExport && arg === '--after') {
      afterId = Number(argumentAt(arg, ++i));
      if (!Number.isSafeInteger(afterId) || afterId < 0)
        throw new UsageError('--after needs an event id (a whole number)');
    } else if (userAction === 'add' && arg === '--group') groups.push(argumentAt(arg, ++i));
    else if (userAction === 'add' && arg === '--admin') admin = true;
    else if (userAction && !arg.startsWith('-')) {
      if (name !== undefined) {
        throw new UsageError(
          'give one user name; a password is read from standard input, never from arguments',
        );
      }
      name = arg;
    } else if (!userAction && (arg === '-o' || arg.startsWith('-o'))) {
      // ssh(1) accepts both "-o Name=value" and "-oName=value".
      const option = arg === '-o' ? argumentAt(arg, ++i) : arg.slice(2);
      try {
        Object.assign(sshOverrides, parseSshOption(option));
      } catch (error) {
        if (error instanceof SshOptionError) throw new UsageError(error.message);
        throw error;
      }
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (auditExport) return { kind: 'audit-export', configPath, afterId };
  if (userAction) {
    if (name === undefined) throw new UsageError(`vigil user ${userAction} needs the user's name`);
    if (configPath === undefined) {
      throw new UsageError('user commands edit a config file: give --config FILE or set VIGIL_CONFIG');
    }
    const change: UserChange =
      userAction === 'add' ? { action: 'add', name, groups, admin } : { action: userAction, name };
    return { kind: 'user', configPath, change };
  }
  return { kind: 'serve', configPath, sshOverrides };
}
