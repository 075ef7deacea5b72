import { lookup } from 'node:dns/promises';
import { type AuthMethod, FREE_FORM_TARGET, type TargetSummary } from '@vigil/protocol';
import { type GatewayUser, isGranted } from '../auth/gateway-user.js';
import { CidrBlocks } from '../config/cidr-blocks.js';
import type { Config, HostKeyPolicy } from '../config/config-schema.js';
import { effectiveSshOptions, type SshOptions } from '../config/ssh-options.js';
import type { PrivateKey } from '../ssh/private-key.js';
import { SshFailure } from '../ssh/ssh-failure.js';

/** Everything needed to reach one target, after the allowlist said yes. */
export interface ResolvedTarget {
  name: string;
  /** The name known_hosts and messages use: the configured or typed host. */
  host: string;
  /** The address actually dialled; for free-form targets the resolved IP that passed the allowlist. */
  connectAddress: string;
  port: number;
  user: string | undefined;
  authMethods: readonly AuthMethod[];
  hostKeys: HostKeyPolicy;
  env: Record<string, string>;
  ssh: SshOptions;
  /** The key the target holds (`credentials`): the gateway signs in with it and asks nobody. */
  gatewayKey: PrivateKey | undefined;
}

/** The one gate between a browser's request and a network connection: never an open proxy. */
export class TargetAllowlist {
  private readonly freeFormBlocks: CidrBlocks | undefined;

  constructor(
    private readonly config: Pick<Config, 'targets' | 'freeFormTargets' | 'defaults' | 'auth'>,
    /** Keys held for targets with `credentials`, by target name (see loadTargetKeys). */
    private readonly targetKeys: ReadonlyMap<string, PrivateKey>,
  ) {
    if (config.freeFormTargets) this.freeFormBlocks = new CidrBlocks(config.freeFormTargets.allow);
  }

  /**
   * With sign-in configured, a user sees and reaches only targets granted to them, and free-form
   * hosts only as an admin; without it (loopback only) every configured target.
   */
  private grantedTargets(user: GatewayUser | undefined): Config['targets'] {
    if (this.config.auth === undefined) return this.config.targets;
    return this.config.targets.filter(
      (t) => user !== undefined && t.allow !== undefined && isGranted(user, t.allow),
    );
  }

  private freeFormFor(user: GatewayUser | undefined): Config['freeFormTargets'] {
    if (this.config.auth !== undefined && !user?.admin) return undefined;
    return this.config.freeFormTargets;
  }

  summaries(user: GatewayUser | undefined): TargetSummary[] {
    const listed: TargetSummary[] = this.grantedTargets(user).map((t) => ({
      name: t.name,
      label: t.label ?? t.name,
      ...(t.user === undefined ? {} : { user: t.user }),
      ...(this.targetKeys.has(t.name)
        ? { authMethods: [], gatewayKey: true as const }
        : { authMethods: [...t.authMethods] }),
    }));
    const freeForm = this.freeFormFor(user);
    if (freeForm) {
      listed.push({
        name: FREE_FORM_TARGET,
        label: 'Another host…',
        authMethods: [...freeForm.authMethods],
        freeForm: { ports: [...freeForm.ports] },
      });
    }
    return listed;
  }

  async resolve(
    name: string,
    address: { host: string; port: number } | undefined,
    user: GatewayUser | undefined,
  ): Promise<ResolvedTarget> {
    if (name === FREE_FORM_TARGET && address) return this.resolveFreeForm(address.host, address.port, user);
    // An ungranted target is reported exactly like one that does not exist.
    const target = this.grantedTargets(user).find((t) => t.name === name);
    if (!target) throw new SshFailure('TARGET_NOT_ALLOWED', { target: name });
    return {
      name: target.name,
      host: target.host,
      connectAddress: target.host,
      port: target.port,
      user: target.user,
      authMethods: target.authMethods,
      hostKeys: target.hostKeys,
      env: target.env,
      ssh: effectiveSshOptions(this.config.defaults.ssh, target.ssh),
      gatewayKey: this.targetKeys.get(target.name),
    };
  }

  private async resolveFreeForm(
    host: string,
    port: number,
    user: GatewayUser | undefined,
  ): Promise<ResolvedTarget> {
    const freeForm = this.freeFormFor(user);
    const label = `${host}:${port}`;
    if (!freeForm || !this.freeFormBlocks || !freeForm.ports.includes(port)) {
      throw new SshFailure('TARGET_NOT_ALLOWED', { target: label });
    }
    // Resolve once and dial the checked address, so DNS cannot answer differently at connect time.
    const addresses = await lookup(host, { all: true }).catch(() => {
      throw new SshFailure('HOST_NOT_FOUND', { host, port });
    });
    const allowed = addresses.find((a) => this.freeFormBlocks!.contains(a.address));
    if (!allowed) throw new SshFailure('TARGET_NOT_ALLOWED', { target: label });
    return {
      name: label,
      host,
      connectAddress: allowed.address,
      port,
      user: undefined,
      authMethods: freeForm.authMethods,
      hostKeys: freeForm.hostKeys,
      env: { LANG: 'C.UTF-8' },
      ssh: effectiveSshOptions(this.config.defaults.ssh, freeForm.ssh),
      gatewayKey: undefined,
    };
  }
}
