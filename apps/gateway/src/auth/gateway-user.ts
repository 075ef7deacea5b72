import type { Grants } from '../config/config-schema.js';

/** Someone signed in to the gateway itself (not to a target). */
export interface GatewayUser {
  name: string;
  groups: readonly string[];
  admin: boolean;
}

export function isGranted(user: Pick<GatewayUser, 'name' | 'groups'>, grants: Grants): boolean {
  return grants.users.includes(user.name) || user.groups.some((group) => grants.groups.includes(group));
}

/**
 * Who owns sessions: the signed-in user, so their other browsers and tabs can reattach; without
 * sign-in (loopback only) the browser's own identity cookie.
 */
export function ownerOf(user: GatewayUser | undefined, clientId: string): string {
  return user ? `user:${user.name}` : `browser:${clientId}`;
}
