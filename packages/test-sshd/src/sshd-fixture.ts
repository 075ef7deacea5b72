import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCommand } from '@vigil/test-processes';
import { generateClientKeys } from './client-keys.js';
import { generateHostKeys, type HostKey, type HostKeyType, knownHostsFor } from './host-keys.js';
import { descendantsOf, freezeDescendants, killProcesses } from './process-tree.js';
import { assertCanRunSshd, SSHD_PATH } from './requirements.js';
import { sshdConfig } from './sshd-config.js';
import { launchSshd, PortTakenError, type SshdProcess } from './sshd-process.js';
import { ensureTestUser } from './test-user.js';

export interface SshdOptions {
  /** Host keys to generate and serve. @default ['ed25519', 'ecdsa'] */
  hostKeyTypes?: HostKeyType[];
  /** sshd_config lines; they override the fixture's own, and `Match` blocks go last. @default [] */
  extraConfig?: string[];
}

export interface SshdFixture {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** Unencrypted OpenSSH ed25519 private key text whose public key is authorized. */
  privateKey: string;
  /** Passphrase-protected OpenSSH ed25519 private key text, also authorized. */
  encryptedPrivateKey: string;
  passphrase: string;
  /** The host keys sshd serves, in `hostKeyTypes` order. */
  hostKeys: HostKey[];
  /** known_hosts text for this server: `[127.0.0.1]:PORT keytype base64` lines. */
  knownHosts: string;
  /**
   * The per-connection sshd processes, parents before children; the user's shell is left out.
   * In OpenSSH 9.2 each connection has a privileged monitor, the listener's child (a re-executed
   * sshd) titled `sshd: [accepted]`, then `sshd: user [priv]`; below it, an unprivileged child
   * owns the socket and does all packet I/O: `sshd: [net]` before authentication, then
   * `sshd: user@pts/N` (`user@notty` without a PTY). SIGSTOP on that child stops all traffic
   * on the connection without closing it, like a peer that vanished; stopping every pid listed
   * does the same without picking.
   */
  connectionPids(): Promise<number[]>;
  /** The listener's pid. */
  pid: number;
  /** The last 500 lines of sshd's log (the listener's and its connections'). */
  log(): string;
  /** Stops sshd and its connections and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const BIND_ATTEMPTS = 5;

/** A real OpenSSH sshd on 127.0.0.1 with throwaway host keys, client keys and user. */
export async function startSshd(options: SshdOptions = {}): Promise<SshdFixture> {
  await assertCanRunSshd();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-sshd-'));
  // A test run that crashes or forgets stop() must not leave an sshd listening, or its keys, behind.
  let listener: SshdProcess | undefined;
  const cleanUpAtExit = () => {
    listener?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUpAtExit);
  const removeDir = async () => {
    await rm(dir, { recursive: true, force: true });
    process.off('exit', cleanUpAtExit);
  };
  try {
    // sshd reads authorized_keys as the user it authenticates, who must be able to enter the dir.
    await chmod(dir, 0o711);
    // Privilege separation dir; a container may have no /run/sshd until the service first ran.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const [user, hostKeyFiles, clientKeys] = await Promise.all([
      ensureTestUser(),
      generateHostKeys(dir, options.hostKeyTypes ?? ['ed25519', 'ecdsa']),
      generateClientKeys(dir),
    ]);
    const configPath = join(dir, 'sshd_config');
    const configFor = (port: number) =>
      sshdConfig({
        port,
        hostKeyPaths: hostKeyFiles.map((key) => key.path),
        pidFile: join(dir, 'sshd.pid'),
        authorizedKeysFile: clientKeys.authorizedKeysPath,
        user: user.name,
        extraConfig: options.extraConfig ?? [],
      });
    const { port, sshd } = await listenOnFreePort(configPath, configFor);
    listener = sshd;
    let stopping: Promise<void> | undefined;
    return {
      host: '127.0.0.1',
      port,
      user: user.name,
      password: user.password,
      privateKey: clientKeys.privateKey,
      encryptedPrivateKey: clientKeys.encryptedPrivateKey,
      passphrase: clientKeys.passphrase,
      hostKeys: hostKeyFiles.map(({ type, publicKey, fingerprint }) => ({ type, publicKey, fingerprint })),
      knownHosts: knownHostsFor('127.0.0.1', port, hostKeyFiles),
      pid: sshd.pid,
      log: sshd.log,
      async connectionPids() {
        const processes = await descendantsOf(sshd.pid);
        return processes.filter((entry) => entry.command.startsWith('sshd')).map((entry) => entry.pid);
      },
      stop() {
        stopping ??= stopListenerAndConnections(sshd).then(removeDir);
        return stopping;
      },
    };
  } catch (error) {
    await removeDir();
    throw error;
  }
}

async function listenOnFreePort(configPath: string, configFor: (port: number) => string) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(configPath, configFor(port));
    // Once: sshd's own check names the bad line, which a failed start would only hint at.
    if (attempt === 1) await checkConfig(configPath);
    try {
      return { port, sshd: await launchSshd(configPath, port, START_TIMEOUT_MS) };
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === BIND_ATTEMPTS) throw error;
    }
  }
}

async function checkConfig(configPath: string): Promise<void> {
  try {
    await runCommand(SSHD_PATH, ['-t', '-f', configPath]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`sshd -t rejected the fixture's sshd_config (see extraConfig): ${reason}`, {
      cause: error,
    });
  }
}

/**
 * The listener does not end its connections when it exits, and once it is gone they are no
 * longer its descendants, so they are frozen and killed first, while they can still be found.
 * Freezing the listener too keeps it from accepting a new connection meanwhile.
 */
async function stopListenerAndConnections(sshd: SshdProcess): Promise<void> {
  const { child } = sshd;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGSTOP');
  await killProcesses(await freezeDescendants(sshd.pid));
  child.kill('SIGTERM');
  child.kill('SIGCONT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
  });
  if (await Promise.race([sshd.exited.then(() => false), timedOut])) {
    child.kill('SIGKILL');
    await sshd.exited;
  }
  clearTimeout(timer);
}
