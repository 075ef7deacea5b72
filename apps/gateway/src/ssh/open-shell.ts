import { connect as netConnect, type Socket } from 'node:net';
import type { AuthMethod, AuthRequest, ErrorDetails } from '@vigil/protocol';
import ssh2, {
  type AnyAuthMethod,
  type ClientChannel,
  type KeyboardInteractiveAuthMethod,
  type ParsedKey,
  type Prompt,
} from 'ssh2';
import type { HostKeyPolicy } from '../config/config-schema.js';
import type { SshOptions } from '../config/ssh-options.js';
import { HeartbeatLoop } from '../heartbeat/heartbeat-loop.js';
import {
  describeOfferedKey,
  judgeHostKey,
  type OfferedHostKey,
  preferredHostKeyAlgorithms,
} from './host-key-policy.js';
import { type FirstUseKeys, loadKnownKeys } from './host-key-store.js';
import { sendKeepalive } from './keepalive-request.js';
import { parsePrivateKey } from './private-key.js';
import { SshFailure, toSshFailure } from './ssh-failure.js';
import { SshShell } from './ssh-shell.js';

export interface ShellRequest {
  /** The host name known_hosts and messages use. */
  host: string;
  /** Where to dial: the configured host, or a free-form address already checked. */
  connectAddress: string;
  port: number;
  /** Target name, for messages. */
  target: string;
  username: string;
  /** What the person sent; `gateway-key` is signed in with `gatewayKey`. */
  auth: AuthRequest;
  /** The key the target holds (its `credentials`), used for `gateway-key`. */
  gatewayKey: ParsedKey | undefined;
  /** Methods the target allows; a server asking for a second factor may only get one of these. */
  allowedMethods: readonly AuthMethod[];
  hostKeys: HostKeyPolicy;
  /** Where keys accepted on first use are remembered (the storage seam's side). */
  firstUseKeys: FirstUseKeys;
  env: Record<string, string>;
  /** ServerAliveInterval, ServerAliveCountMax, TCPKeepAlive, TCPKeepAliveDelay. */
  ssh: SshOptions;
  cols: number;
  rows: number;
  /** Bounds the TCP connect and the key exchange; waiting for the person is not counted. */
  connectTimeoutMs: number;
  /** Aborted when the browser leaves before the shell is up. */
  signal: AbortSignal;
}

export interface KeyboardInteractiveRound {
  name: string;
  instructions: string;
  prompts: { prompt: string; echo: boolean }[];
}

export type HostKeyDecision =
  | 'accepted-on-first-use'
  | 'rejected-by-person'
  | 'mismatch'
  | 'unknown'
  | 'revoked';

/** Questions only the person at the browser can answer, and decisions worth an audit record. */
export interface ShellPrompts {
  keyboardInteractive(round: KeyboardInteractiveRound): Promise<string[]>;
  confirmHostKey(offered: OfferedHostKey): Promise<boolean>;
  /** Every host key outcome except a routine match of a known key. */
  hostKeyDecided(offered: OfferedHostKey, decision: HostKeyDecision): void;
}

// ssh2 is CommonJS: under Node's ESM loader only its default export is visible.
const { Client } = ssh2;

function connectTcp(request: Omit<ShellRequest, 'auth' | 'gatewayKey'>): Promise<Socket> {
  const { connectAddress: host, port, connectTimeoutMs: timeoutMs, signal, ssh } = request;
  return new Promise((resolve, reject) => {
    // Nagle off: a keystroke echo must not wait for the next segment. TCPKeepAlive as ssh(1):
    // kernel probes on an idle socket, here after TCPKeepAliveDelay rather than the OS's 2 h.
    const socket = netConnect({
      host,
      port,
      noDelay: true,
      keepAlive: ssh.TCPKeepAlive,
      keepAliveInitialDelay: ssh.TCPKeepAliveDelay * 1000,
    });
    const fail = (error: unknown) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    const onAbort = () => fail(new SshFailure('CONNECTION_LOST', { reason: 'the browser left' }));
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', fail);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once('connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}

/**
 * Connects, verifies the host key, authenticates and opens a PTY shell. Resolves once the shell
 * runs; rejects with an SshFailure that says what went wrong in the catalogue's terms.
 */
export async function openShell(shellRequest: ShellRequest, prompts: ShellPrompts): Promise<SshShell> {
  // ssh2 keeps the host key check for the connection's life (it runs again at every re-key),
  // and with it every variable the closures below share. So the credentials stay out of them:
  // `request` has none, and `firstMethod` is emptied once signed in.
  const { auth, gatewayKey, ...request } = shellRequest;
  const where: ErrorDetails = { target: request.target, host: request.host, port: request.port };
  const key =
    auth.method === 'publickey'
      ? parsePrivateKey(auth.privateKey, auth.passphrase)
      : auth.method === 'gateway-key'
        ? gatewayKey
        : undefined;
  if (auth.method === 'gateway-key' && key === undefined) {
    throw new SshFailure('AUTH_METHOD_NOT_ALLOWED', { target: request.target, reason: auth.method });
  }
  // To the SSH server a held key is publickey authentication like any other.
  const sshMethod = auth.method === 'gateway-key' ? 'publickey' : auth.method;
  const known = await loadKnownKeys(request.hostKeys, request.firstUseKeys, request.host, request.port);
  const socket = await connectTcp(request).catch((error: unknown) => {
    throw toSshFailure(error, where);
  });

  const client = new Client();
  // A failure we diagnosed ourselves (host key, auth) outranks the generic error ssh2 raises after it.
  let diagnosed: SshFailure | undefined;
  let handshakeTimer: NodeJS.Timeout | undefined;

  const verifyHostKey = async (blob: Buffer): Promise<boolean> => {
    clearTimeout(handshakeTimer);
    const offered = describeOfferedKey(blob);
    const details = { ...where, keyType: offered.keyType, fingerprint: offered.fingerprint };
    const verdict = judgeHostKey(offered, known);
    if (verdict === 'trusted') return true;
    if (verdict === 'unknown' && request.hostKeys.trustOnFirstUse) {
      if (await prompts.confirmHostKey(offered)) {
        const kept = await request.firstUseKeys.remember(request.host, request.port, offered);
        if (kept.equals(offered.key)) {
          prompts.hostKeyDecided(offered, 'accepted-on-first-use');
          return true;
        }
        // Another replica remembered a different key first: to this one the offer is what
        // ssh(1) would call it once that key were in its known_hosts.
        prompts.hostKeyDecided(offered, 'mismatch');
        diagnosed = new SshFailure('HOST_KEY_MISMATCH', details);
        return false;
      }
      prompts.hostKeyDecided(offered, 'rejected-by-person');
      diagnosed = new SshFailure('HOST_KEY_REJECTED', details);
      return false;
    }
    prompts.hostKeyDecided(offered, verdict);
    const code =
      verdict === 'revoked'
        ? 'HOST_KEY_REVOKED'
        : verdict === 'mismatch'
          ? 'HOST_KEY_MISMATCH'
          : 'HOST_KEY_UNKNOWN';
    diagnosed = new SshFailure(code, details);
    return false;
  };

  const keyboardInteractive: KeyboardInteractiveAuthMethod = {
    type: 'keyboard-interactive',
    username: request.username,
    prompt: (name: string, instructions: string, _lang: string, serverPrompts: Prompt[], finish) => {
      prompts
        .keyboardInteractive({
          name,
          instructions,
          prompts: serverPrompts.map((p) => ({ prompt: p.prompt, echo: p.echo === true })),
        })
        .then(finish, () => client.end());
    },
  };
  let firstMethod: AnyAuthMethod | undefined =
    auth.method === 'password'
      ? { type: 'password', username: request.username, password: auth.password }
      : key
        ? { type: 'publickey', username: request.username, key }
        : keyboardInteractive;
  let tried: string[] = [];

  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', (error) => reject(diagnosed ?? toSshFailure(error, where)));
    client.once('close', () => reject(diagnosed ?? new SshFailure('CONNECTION_LOST', where)));
    const onAbort = () => {
      reject(new SshFailure('CONNECTION_LOST', { ...where, reason: 'the browser left' }));
      client.end();
      socket.destroy();
    };
    request.signal.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => request.signal.removeEventListener('abort', onAbort));
  });

  handshakeTimer = setTimeout(() => {
    diagnosed = new SshFailure('CONNECT_TIMEOUT', where);
    socket.destroy();
  }, request.connectTimeoutMs);

  client.connect({
    sock: socket,
    username: request.username,
    readyTimeout: 0,
    algorithms: { serverHostKey: preferredHostKeyAlgorithms(known) as never },
    hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
      verifyHostKey(blob).then(verify, (error: unknown) => {
        diagnosed = toSshFailure(error, where);
        verify(false);
      });
    },
    authHandler: (methodsLeft, partialSuccess, next) => {
      if (tried.length === 0 && firstMethod) {
        tried = [firstMethod.type];
        return next(firstMethod);
      }
      const left = methodsLeft ?? [];
      // `AuthenticationMethods publickey,keyboard-interactive`: the first factor passed, now the code.
      const secondFactor =
        partialSuccess &&
        left.includes('keyboard-interactive') &&
        request.allowedMethods.includes('keyboard-interactive') &&
        !tried.includes('keyboard-interactive');
      if (secondFactor) {
        tried.push('keyboard-interactive');
        return next(keyboardInteractive);
      }
      const offered =
        left.length > 0 && !left.includes(sshMethod) ? `it accepts only ${left.join(', ')}` : undefined;
      diagnosed = new SshFailure('AUTH_FAILED', { ...where, ...(offered ? { reason: offered } : {}) });
      return next(false as never);
    },
  });

  try {
    await ready;
  } catch (error) {
    clearTimeout(handshakeTimer);
    client.end();
    socket.destroy();
    throw error;
  } finally {
    firstMethod = undefined;
  }
  clearTimeout(handshakeTimer);
  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    client.shell(
      { term: 'xterm-256color', cols: request.cols, rows: request.rows, width: 0, height: 0 },
      { env: request.env },
      (error, stream) =>
        error
          ? reject(new SshFailure('SHELL_REFUSED', { ...where, reason: error.message }))
          : resolve(stream),
    );
  }).catch((error: unknown) => {
    client.end();
    throw error;
  });
  const heartbeat = new HeartbeatLoop(
    {
      serverAliveInterval: request.ssh.ServerAliveInterval,
      serverAliveCountMax: request.ssh.ServerAliveCountMax,
    },
    (id) => sendKeepalive(client, () => heartbeat.replied(id)),
  );
  // Bytes on the raw socket are "any packet received", OpenSSH's reset rule.
  socket.on('data', () => heartbeat.received());
  heartbeat.measureNow();
  return new SshShell(client, channel, socket, heartbeat, where, request.ssh.TCPKeepAlive);
}
