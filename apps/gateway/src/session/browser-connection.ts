import {
  CLOSE_CODES,
  type ClientMessage,
  describeError,
  type ErrorCode,
  type ErrorDetails,
  MAX_CONTROL_MESSAGE_BYTES,
  MAX_INPUT_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
} from '@vigil/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { AuditLog } from '../audit/audit-log.js';
import type { GatewayUser } from '../auth/gateway-user.js';
import { HopRelay } from '../cluster/hop-relay.js';
import type { ReplicaPeers } from '../cluster/replica-peers.js';
import type { Config } from '../config/config-schema.js';
import type { ReplicaDrain } from '../drain/replica-drain.js';
import { HeartbeatLoop } from '../heartbeat/heartbeat-loop.js';
import type { GatewayMetrics } from '../plugins/gateway-metrics.js';
import type { OfferedHostKey } from '../ssh/host-key-policy.js';
import type { FirstUseKeys } from '../ssh/host-key-store.js';
import { type KeyboardInteractiveRound, openShell } from '../ssh/open-shell.js';
import { SshFailure } from '../ssh/ssh-failure.js';
import type { ShellEnd } from '../ssh/ssh-shell.js';
import type { TargetAllowlist } from '../targets/target-allowlist.js';
import { HealthPushPolicy, RTT_REFRESH_MS, visibleHealth } from './health-push.js';
import { OutputFrames } from './output-frames.js';
import type { Attachment, Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';

export interface ConnectionDeps {
  config: Config;
  allowlist: TargetAllowlist;
  registry: SessionRegistry;
  metrics: GatewayMetrics;
  log: FastifyBaseLogger;
  /** Who is asking (see ownerOf): sessions belong to it and only it may attach. */
  owner: string;
  /** The signed-in gateway user, when sign-in is configured. */
  user: GatewayUser | undefined;
  /** The browser's address, for the audit trail. */
  source: string;
  audit: AuditLog;
  firstUseKeys: FirstUseKeys;
  /** A draining replica starts no new session; reattaches are still served. */
  drain: Pick<ReplicaDrain, 'draining'>;
  /** In a cluster: where to find a session this replica does not hold. */
  peers?: ReplicaPeers;
  /**
   * Set on the owner's end of a relayed attach (cluster/internal-api.ts): the session the hop
   * token names, the only one this connection may attach to; it never opens one.
   */
  hop?: { sessionId: string | undefined };
}

/** Frames a page may send while its attach is being routed to another replica, before they are dropped. */
const MAX_FRAMES_WHILE_ROUTING = 64;

type OpenMessage = Extract<ClientMessage, { type: 'open' }>;

/** An answer the SSH layer is waiting for from the person (prompts or a host key verdict). */
type PendingQuestion =
  | { kind: 'auth-answers'; resolve: (answers: string[]) => void; reject: (error: Error) => void }
  | { kind: 'host-key-decision'; resolve: (accept: boolean) => void; reject: (error: Error) => void };

/**
 * One browser WebSocket: reads the protocol, opens a session, then relays between the two.
 * A bad frame costs only an error message; it never ends the session or touches another one.
 */
export class BrowserConnection {
  private state: 'awaiting-open' | 'opening' | 'attached' | 'routing' | 'relaying' | 'ended' =
    'awaiting-open';
  /** While relaying: the hop to the replica that owns the session. */
  private relay: HopRelay | undefined;
  /** Frames that came while routing, forwarded once the hop is up. */
  private routingQueue: { data: Buffer; isBinary: boolean }[] = [];
  /** On the owner's end of a hop: the relaying replica's shortest round trip to the page. */
  private relayedRttMs = 0;
  private session: Session | undefined;
  private attachment: Attachment | undefined;
  private watchSshHealth: (() => void) | undefined;
  private pending: PendingQuestion | undefined;
  private readonly abort = new AbortController();
  /** What an `open` asked for, so a refusal can be audited with it. */
  private opening: { target: string; sshUser: string | undefined } | undefined;
  /** The browser leg's heartbeat: WebSocket pings, answered by the browser's network stack. */
  private readonly heartbeat: HeartbeatLoop;
  private readonly healthPush: HealthPushPolicy;
  /**
   * The browser leg's shortest round trip yet, which the session's flow window allows for. Not
   * the last one: a ping under a flood waits behind the output in flight, and a window grown by
   * that wait would let still more queue up (the path's own delay is the minimum, as in TCP BBR).
   */
  private minRoundTripMs: number | undefined;
  private readonly frames: OutputFrames;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    // Only pongs count as replies on this leg, so a ping goes out every interval even while the
    // page is busy typing: each pong pushes health, and the page's own watchdog hears from us.
    this.frames = new OutputFrames((frame, sent) => socket.send(frame, { binary: true }, sent));
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', (error) => deps.log.warn({ err: error }, 'websocket error'));
    const { interval, countMax } = deps.config.browserHeartbeat;
    this.healthPush = new HealthPushPolicy(Math.min(RTT_REFRESH_MS, interval * 1000));
    this.heartbeat = new HeartbeatLoop(
      { serverAliveInterval: interval, serverAliveCountMax: countMax },
      (id) => socket.ping(String(id)),
    );
    socket.on('pong', (data: Buffer) => this.heartbeat.replied(Number(data.toString('latin1'))));
    this.heartbeat.measureNow();
    deps.metrics.observe('browser', this.heartbeat);
    this.heartbeat.on('rtt', (ms) => {
      const shortest = Math.min(ms, this.minRoundTripMs ?? ms);
      if (shortest !== this.minRoundTripMs) this.relay?.browserRtt(shortest);
      this.minRoundTripMs = shortest;
    });
    this.heartbeat.on('change', () => this.pushHealth());
    this.heartbeat.once('timeout', () => {
      deps.log.info('browser leg stopped answering pings; closing its socket');
      socket.terminate();
    });
  }

  /** Both legs' health, on a state change at once and otherwise now and then (see HealthPushPolicy). */
  private pushHealth() {
    if (this.state === 'relaying') return this.relay?.pushHealth();
    const session = this.session;
    if (this.state !== 'attached' || !session) return;
    const ssh = session.shell.heartbeat;
    if (!this.healthPush.shouldPush(visibleHealth(ssh, this.heartbeat), performance.now())) return;
    this.send({
      type: 'health',
      ssh: ssh.snapshot(),
      browser: this.heartbeat.snapshot(),
      tcpKeepAlive: session.shell.tcpKeepAlive,
    });
  }

  private send(message: ServerMessage) {
    // Output gathered before this message goes first: an `exit` never overtakes the last output.
    this.frames.flush();
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private sendError(code: ErrorCode, details: ErrorDetails, fatal: boolean) {
    this.send({ type: 'error', code, message: describeError(code, details), fatal });
  }

  private end(closeCode: number = CLOSE_CODES.sessionEnded) {
    this.state = 'ended';
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(closeCode);
  }

  private onFrame(data: Buffer, isBinary: boolean) {
    if (this.state === 'relaying' || this.state === 'routing') return this.onFrameToRelay(data, isBinary);
    if (isBinary) {
      this.onInput(data);
      return;
    }
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) {
      this.sendError(parsed.code, { reason: parsed.reason, limit: MAX_CONTROL_MESSAGE_BYTES }, false);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'open':
      case 'attach':
        if (this.state !== 'awaiting-open') return this.unexpected(message.type);
        // A hop carries an attach only: a session starts on the replica the balancer picked.
        if (message.type === 'open' && this.deps.hop) return this.unexpected('open over the internal hop');
        // The first message carries the protocol version; nothing else is read from a stranger.
        if (message.protocol !== PROTOCOL_VERSION) {
          this.sendError(
            'PROTOCOL_VERSION',
            { reason: `got ${message.protocol}, need ${PROTOCOL_VERSION}` },
            true,
          );
          return this.end(CLOSE_CODES.protocolError);
        }
        if (message.type === 'attach') return this.reattach(message);
        this.open(message).catch((error: unknown) => this.onOpenFailed(error));
        return;
      case 'ack':
        if (this.state !== 'attached') return this.unexpected(message.type);
        return this.onAck(message.position);
      case 'auth-answers':
        return this.takePending('auth-answers')?.resolve(message.answers);
      case 'host-key-decision':
        return this.takePending('host-key-decision')?.resolve(message.accept);
      case 'resize':
        if (this.state !== 'attached') return this.unexpected(message.type);
        return this.session?.resize(message.cols, message.rows);
      case 'hop-leg':
        if (!this.deps.hop) return this.unexpected(message.type);
        this.relayedRttMs = message.browserRttMs;
        return;
      case 'close':
        if (this.state === 'attached') return this.session?.close('the person hung up');
        // Said in words (and audited), so the page does not take the closing socket for a lost connection.
        if (this.state === 'opening') this.onOpenFailed(new SshFailure('SIGN_IN_CANCELLED', {}));
        this.abort.abort();
        return this.end();
    }
  }

  private unexpected(what: string) {
    this.sendError('UNEXPECTED_MESSAGE', { reason: `${what} while ${this.state}` }, false);
  }

  /** A bad ack is answered and otherwise ignored: the session's flow stays bounded by the last good one. */
  private onAck(position: number) {
    const refused = this.attachment && this.session?.ack(this.attachment, position);
    if (refused) this.sendError('BAD_MESSAGE', { reason: refused }, false);
  }

  private onInput(data: Buffer) {
    if (data.length > MAX_INPUT_FRAME_BYTES) {
      this.sendError('MESSAGE_TOO_LARGE', { limit: MAX_INPUT_FRAME_BYTES }, false);
      return;
    }
    if (this.state !== 'attached') return this.unexpected('terminal input');
    this.session?.input(data);
  }

  /** Takes the question a reply answers; a reply nobody asked for is only reported. */
  private takePending<K extends PendingQuestion['kind']>(
    kind: K,
  ): Extract<PendingQuestion, { kind: K }> | undefined {
    const pending = this.pending;
    if (pending?.kind !== kind) {
      this.unexpected(kind);
      return undefined;
    }
    this.pending = undefined;
    return pending as Extract<PendingQuestion, { kind: K }>;
  }

  private async open(message: OpenMessage) {
    this.state = 'opening';
    this.opening = { target: message.target, sshUser: message.username };
    // First of all: nothing has been tried, so the page can open the same again elsewhere.
    if (this.deps.drain.draining) throw new SshFailure('GATEWAY_DRAINING', {});
    const { maxSessionsPerUser } = this.deps.config.limits;
    if ((await this.deps.registry.ownedCount(this.deps.owner)) >= maxSessionsPerUser) {
      throw new SshFailure('TOO_MANY_SESSIONS', { limit: maxSessionsPerUser });
    }
    // Before any SSH connection: a bastion that records every session opens none it cannot record.
    const unrecordable = this.deps.registry.recordingRefusal();
    if (unrecordable !== undefined) throw new SshFailure('RECORDING_UNAVAILABLE', { reason: unrecordable });
    const target = await this.deps.allowlist.resolve(message.target, message.address, this.deps.user);
    const { method } = message.auth;
    // A target holding its own key is reached only with it, so nobody needs (or gets) another way in.
    const allowed =
      target.gatewayKey !== undefined
        ? method === 'gateway-key'
        : method !== 'gateway-key' && target.authMethods.includes(method);
    if (!allowed) throw new SshFailure('AUTH_METHOD_NOT_ALLOWED', { target: target.name, reason: method });
    const username = target.user ?? message.username;
    this.opening = { target: target.name, sshUser: username };
    if (!username) throw new SshFailure('AUTH_FAILED', { target: target.name, reason: 'no user name given' });
    const log = this.deps.log.child({ target: target.name, user: username });
    log.info({ method }, 'opening session');
    const shell = await openShell(
      {
        host: target.host,
        connectAddress: target.connectAddress,
        port: target.port,
        target: target.name,
        username,
        auth: message.auth,
        gatewayKey: target.gatewayKey,
        allowedMethods: target.authMethods,
        hostKeys: target.hostKeys,
        firstUseKeys: this.deps.firstUseKeys,
        env: target.env,
        ssh: target.ssh,
        cols: message.cols,
        rows: message.rows,
        connectTimeoutMs: this.deps.config.connectTimeout * 1000,
        signal: this.abort.signal,
      },
      {
        keyboardInteractive: (round: KeyboardInteractiveRound) =>
          new Promise<string[]>((resolve, reject) => {
            this.pending = { kind: 'auth-answers', resolve, reject };
            this.send({ type: 'auth-prompt', ...round });
          }),
        confirmHostKey: (offered: OfferedHostKey) =>
          new Promise<boolean>((resolve, reject) => {
            this.pending = { kind: 'host-key-decision', resolve, reject };
            const { keyType, fingerprint } = offered;
            this.send({
              type: 'host-key-unknown',
              host: target.host,
              port: target.port,
              keyType,
              fingerprint,
            });
          }),
        hostKeyDecided: (offered, decision) => {
          const { keyType, fingerprint } = offered;
          const { owner, source } = this.deps;
          this.deps.audit.record({
            kind: 'host-key',
            owner,
            source,
            target: target.name,
            keyType,
            fingerprint,
            decision,
          });
        },
      },
    );
    if (this.state !== 'opening') {
      // The browser left while the shell was starting: nobody is there to use it.
      shell.close('the browser left before the shell started');
      return;
    }
    if (this.deps.drain.draining) {
      // The drain began while this shell was starting; it would keep the replica up for hours.
      shell.close('the gateway replica began draining');
      throw new SshFailure('GATEWAY_DRAINING', {});
    }
    const session = await this.deps.registry.create(
      { owner: this.deps.owner, source: this.deps.source },
      target.name,
      username,
      message.auth.method,
      shell,
      this.deps.log,
      { cols: message.cols, rows: message.rows },
    );
    if (this.state !== 'opening') {
      session.close('the browser left before the shell started');
      return;
    }
    this.attach(session, 0, 'opened');
  }

  private reattach(message: Extract<ClientMessage, { type: 'attach' }>) {
    const session = this.deps.registry.get(message.sessionId, this.deps.owner);
    const hopSession = this.deps.hop?.sessionId;
    if (!session && this.deps.peers && !this.deps.hop) {
      this.routeAttach(this.deps.peers, message).catch((error: unknown) => this.onRouteFailed(error));
      return;
    }
    if (
      !session ||
      (this.deps.hop && hopSession !== message.sessionId) ||
      (message.position !== null && message.position > session.outputPosition)
    ) {
      this.sendError('SESSION_NOT_FOUND', {}, true);
      return this.end();
    }
    session.log.info({ position: message.position }, 'browser reattached');
    this.attach(session, message.position, 'attached');
  }

  /** The session is not here: find its owner in the directory and relay to it over one hop. */
  private async routeAttach(peers: ReplicaPeers, message: Extract<ClientMessage, { type: 'attach' }>) {
    this.state = 'routing';
    const { owner, source, user } = this.deps;
    const route = await peers.routeAttach(message.sessionId, {
      owner,
      name: user?.name ?? 'this browser',
      admin: user?.admin ?? false,
      source,
    });
    if (this.state !== 'routing') return;
    if (route.kind !== 'remote') {
      this.sendError(route.kind === 'replica-lost' ? 'REPLICA_LOST' : 'SESSION_NOT_FOUND', {}, true);
      return this.end();
    }
    this.deps.log.info(
      { sessionId: message.sessionId, owner: route.url },
      'relaying an attach to the owning replica',
    );
    this.state = 'relaying';
    this.relay = new HopRelay(
      route.url,
      route.token,
      message,
      { browser: this.socket, browserLeg: () => this.heartbeat.snapshot(), log: this.deps.log },
      () => this.end(),
    );
    if (this.minRoundTripMs !== undefined) this.relay.browserRtt(this.minRoundTripMs);
    for (const frame of this.routingQueue) this.relay.forward(frame.data, frame.isBinary);
    this.routingQueue = [];
  }

  /** The directory could not be read: the page tries again, as after any drop. */
  private onRouteFailed(error: unknown) {
    if (this.state === 'ended') return;
    this.deps.log.warn({ err: error }, 'could not route an attach: the directory is unreachable');
    this.state = 'ended';
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(CLOSE_CODES.tryAgainLater);
  }

  /** A page's frame on a relayed attach: passed on as it is, except what only replicas may say. */
  private onFrameToRelay(data: Buffer, isBinary: boolean) {
    if (!isBinary) {
      const parsed = parseClientMessage(data.toString('utf8'));
      if (!parsed.ok) {
        this.sendError(parsed.code, { reason: parsed.reason, limit: MAX_CONTROL_MESSAGE_BYTES }, false);
        return;
      }
      if (parsed.message.type === 'hop-leg') return this.unexpected(parsed.message.type);
    }
    if (this.relay) return this.relay.forward(data, isBinary);
    if (this.routingQueue.length >= MAX_FRAMES_WHILE_ROUTING)
      return this.unexpected('more messages before the attach was answered');
    this.routingQueue.push({ data, isBinary });
  }

  private attach(session: Session, position: number | null, kind: 'opened' | 'attached') {
    this.session = session;
    this.state = 'attached';
    this.attachment = {
      sendOutput: (chunk, sent) => this.frames.push(chunk, sent),
      send: (message) => this.send(message),
      bufferedBytes: () => this.socket.bufferedAmount + this.frames.pendingBytes,
      // Behind a hop, the page is as far as the hop plus the relaying replica's own leg to it.
      roundTripMs: () => (this.minRoundTripMs ?? 0) + this.relayedRttMs,
      takenOver: () => {
        this.sendError('SESSION_TAKEN_OVER', {}, true);
        this.release();
        this.end();
      },
    };
    this.watchSshHealth = () => this.pushHealth();
    session.shell.heartbeat.on('change', this.watchSshHealth);
    session.once('end', this.onSessionEnd);
    session.attach(this.attachment, position, kind);
    this.pushHealth();
  }

  /** Stops listening to the session without ending it (the browser left or was taken over). */
  private release() {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    if (this.watchSshHealth) session.shell.heartbeat.off('change', this.watchSshHealth);
    session.off('end', this.onSessionEnd);
    this.frames.discard();
    if (this.attachment) session.detach(this.attachment);
  }

  private readonly onSessionEnd = (end: ShellEnd) => {
    this.session = undefined;
    if (end.kind === 'exit') this.send({ type: 'exit', code: end.code, signal: end.signal });
    else if (end.kind === 'failure') this.sendError(end.failure.code, end.failure.details, true);
    else if (end.code) this.sendError(end.code, end.details ?? {}, true);
    else this.send({ type: 'exit', code: null, signal: null });
    this.end();
  };

  private onOpenFailed(error: unknown) {
    if (this.state === 'ended') return;
    if (error instanceof SshFailure) {
      this.deps.log.info({ code: error.code }, 'session not opened');
      if (this.opening) {
        const { owner, source } = this.deps;
        this.deps.audit.record({ kind: 'session-refused', owner, source, ...this.opening, code: error.code });
      }
      this.sendError(error.code, error.details, true);
    } else {
      this.deps.log.error({ err: error }, 'session open crashed');
      this.sendError('INTERNAL', {}, true);
    }
    this.end();
  }

  private onClose() {
    const wasState = this.state;
    this.state = 'ended';
    this.heartbeat.stop();
    this.relay?.close();
    this.pending?.reject(new Error('browser left'));
    this.pending = undefined;
    this.abort.abort();
    // The session lives on for its grace period, waiting for this browser (or another tab) to return.
    if (wasState === 'attached') this.release();
  }
}
