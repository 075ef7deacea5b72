export interface SshdConfigInput {
  port: number;
  hostKeyPaths: readonly string[];
  pidFile: string;
  authorizedKeysFile: string;
  user: string;
  extraConfig: readonly string[];
}

/**
 * The fixture's sshd_config. For most keywords sshd keeps the first value it reads, so extra lines
 * go before the defaults to be able to override them; a `Match` block must end the file, so
 * everything from the first `Match` line on goes after them.
 */
export function sshdConfig(input: SshdConfigInput): string {
  const firstMatch = input.extraConfig.findIndex((line) => /^\s*Match\s/i.test(line));
  const overrides = firstMatch === -1 ? input.extraConfig : input.extraConfig.slice(0, firstMatch);
  const matchBlocks = firstMatch === -1 ? [] : input.extraConfig.slice(firstMatch);
  const defaults = [
    'ListenAddress 127.0.0.1',
    `Port ${input.port}`,
    ...input.hostKeyPaths.map((path) => `HostKey ${path}`),
    `PidFile ${input.pidFile}`,
    'UsePAM yes',
    'KbdInteractiveAuthentication yes',
    'PasswordAuthentication yes',
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${input.authorizedKeysFile}`,
    // The keys file lives in a root-owned temp dir, which StrictModes would reject for another user.
    'StrictModes no',
    'AcceptEnv LANG LC_*',
    `AllowUsers ${input.user}`,
    'PermitRootLogin no',
    // VERBOSE logs key fingerprints and auth methods, which is what explains a failed test login.
    'LogLevel VERBOSE',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
  ];
  return `${[...overrides, ...defaults, ...matchBlocks].join('\n')}\n`;
}
