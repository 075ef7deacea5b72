#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { buildApp } from './app.js';
import { exportAudit } from './audit/export-audit.js';
import { hashPassword } from './auth/password-hash.js';
import { parseCommandLine, USAGE, UsageError } from './command-line.js';
import type { Config } from './config/config-schema.js';
import { defaultConfig } from './config/default-config.js';
import { ConfigError, configDir, parseConfig } from './config/load-config.js';
import { LocalUserEditError } from './config/local-users-file.js';
import { applySshOverrides } from './config/ssh-overrides.js';
import { PasswordPromptError, readNewPassword } from './password-prompt.js';
import { openStorage } from './storage/open-storage.js';
import { runUserCommand } from './user-command.js';

/** How long closing (after any drain) may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function loadConfig(configPath: string | undefined): Promise<Config> {
  if (configPath === undefined) return defaultConfig(resolve('data'));
  const text = await readFile(configPath, 'utf8');
  return parseConfig(text, configPath, configDir(configPath));
}

function listeningPort(address: string | AddressInfo | null): number {
  if (address === null || typeof address === 'string') throw new Error('the gateway did not listen on TCP');
  return address.port;
}

async function main() {
  const command = parseCommandLine(process.argv.slice(2), process.env);
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'hash-password') {
    const password = await readNewPassword(process.stdin, process.stderr);
    process.stdout.write(`${await hashPassword(password)}\n`);
    return;
  }
  if (command.kind === 'user') {
    await runUserCommand(command.configPath, command.change, process.stdin, process.stderr);
    return;
  }
  if (command.kind === 'audit-export') {
    const storage = await openStorage(await loadConfig(command.configPath));
    try {
      await exportAudit(storage.audit, (line) => process.stdout.write(line), command.afterId);
    } finally {
      await storage.close();
    }
    return;
  }
  const config = applySshOverrides(await loadConfig(command.configPath), command.sshOverrides);
  const { app, joinCluster, drain } = await buildApp(config);
  await app.listen({ host: config.listen.host, port: config.listen.port });
  try {
    await joinCluster({ host: config.listen.host, port: listeningPort(app.server.address()) });
  } catch (error) {
    await app.close();
    throw error;
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(() => process.exit(0));
  };
  if (drain === undefined) {
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
    return;
  }
  // A replica drains on SIGTERM (a rolling restart); a second SIGTERM ends the drain at once,
  // and SIGINT (Ctrl-C) closes at once as it always did.
  process.on('SIGTERM', () => drain.signal('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  void drain.ended.then((why) => {
    app.log.info({ why }, 'drain over: closing');
    shutdown('SIGTERM');
  });
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof UsageError ||
    error instanceof LocalUserEditError ||
    error instanceof PasswordPromptError
  ) {
    process.stderr.write(`vigil: ${error.message}\n`);
    if (error instanceof UsageError) process.stderr.write(USAGE);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EADDRINUSE') {
    process.stderr.write(`vigil: ${(error as Error).message}\n`);
    process.exit(2);
  }
  throw error;
});
