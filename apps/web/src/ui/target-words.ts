import type { AuthMethod, TargetSummary } from '@vigil/protocol';

export const AUTH_METHOD_LABELS: Record<AuthMethod, string> = {
  password: 'Password',
  publickey: 'Private key',
  'keyboard-interactive': 'Keyboard-interactive',
};

/** Under a target's name: the fixed user and how one signs in, e.g. `as deploy · key held by the gateway`. */
export function targetDetailsText(
  target: Pick<TargetSummary, 'user' | 'authMethods' | 'gatewayKey'>,
): string {
  const user = target.user ? `as ${target.user} · ` : '';
  const how = target.gatewayKey
    ? 'key held by the gateway'
    : target.authMethods.map((method) => AUTH_METHOD_LABELS[method]).join(', ');
  return `${user}${how}`;
}
