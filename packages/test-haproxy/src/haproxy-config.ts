/** A gateway replica behind the balancer. */
export interface HaproxyBackend {
  /** HAProxy's name for the server, in its logs and runtime API: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** `http://HOST:PORT` of the replica, as it listens. */
  url: string;
}

export interface HaproxyConfigInput {
  /** Where the balancer listens on 127.0.0.1. */
  port: number;
  backends: readonly HaproxyBackend[];
  /** The runtime API's Unix socket (admin level), which takes servers in and out. */
  adminSocket: string;
  /** Milliseconds between two /readyz checks of a replica; two failures in a row take it out. */
  checkIntervalMs: number;
  /** Seconds an upgraded (WebSocket) connection may stay silent before HAProxy cuts it. */
  tunnelTimeoutSeconds: number;
}

/**
 * A request with this header, naming a server, goes to that server only, whatever its health:
 * lets a test reach a chosen replica through the balancer. Tests only; deploy/haproxy.cfg has no such door.
 */
export const PIN_HEADER = 'x-vigil-test-backend';

/** The name of the backend holding the replicas that take turns. */
export const REPLICAS_BACKEND = 'replicas';

/**
 * Vigil's browser heartbeat pings after 20 s of silence (browserHeartbeat.interval in the
 * gateway's config schema), so an idle terminal is never silent for longer than that: a tunnel
 * timeout of several intervals never cuts a live one, and still ends one whose peer vanished.
 */
export const TUNNEL_TIMEOUT_SECONDS = 120;

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * haproxy.cfg for one frontend on 127.0.0.1 in front of the replicas: round-robin, so
 * consecutive requests land on different replicas (tests rely on that); a replica whose
 * GET /readyz fails twice leaves the rotation; `/internal/` (the replicas' own hop) is refused
 * here, as in deploy/haproxy.cfg.
 */
export function haproxyConfig(input: HaproxyConfigInput): string {
  const { port, backends, adminSocket, checkIntervalMs, tunnelTimeoutSeconds } = input;
  if (backends.length === 0) throw new Error('haproxyConfig: give at least one backend');
  const servers = backends.map(({ name, url }) => {
    if (!SERVER_NAME.test(name)) throw new Error(`haproxyConfig: "${name}" is not a valid server name`);
    return { name, address: hostAndPort(url) };
  });
  const names = new Set(servers.map((server) => server.name));
  if (names.size !== servers.length) throw new Error('haproxyConfig: two backends have the same name');
  return [
    'global',
    // The fixture keeps stderr for its error messages; health changes are logged there too.
    '  log stderr format raw local0',
    `  stats socket ${adminSocket} mode 600 level admin`,
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option dontlognull',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    `  timeout tunnel ${tunnelTimeoutSeconds}s`,
    '',
    'frontend vigil',
    `  bind 127.0.0.1:${port}`,
    // Decoded, so that /%69nternal/ is refused too: the gateway's router decodes before it matches.
    '  http-request deny deny_status 403 if { path,url_dec -m beg /internal/ }',
    '  http-request set-header X-Forwarded-For %[src]',
    ...servers.map(({ name }) => `  use_backend pin-${name} if { req.hdr(${PIN_HEADER}) -m str ${name} }`),
    `  default_backend ${REPLICAS_BACKEND}`,
    '',
    `backend ${REPLICAS_BACKEND}`,
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /readyz',
    '  http-check expect status 200',
    `  default-server inter ${checkIntervalMs} fall 2 rise 1`,
    ...servers.map(({ name, address }) => `  server ${name} ${address} check`),
    ...servers.flatMap(({ name, address }) => ['', `backend pin-${name}`, `  server ${name} ${address}`]),
    '',
  ].join('\n');
}

/** `HOST:PORT` of an `http://HOST:PORT` URL with nothing after it. */
function hostAndPort(url: string): string {
  const parsed = new URL(url);
  if (
    parsed.protocol !== 'http:' ||
    parsed.port === '' ||
    (parsed.pathname !== '/' && parsed.pathname !== '')
  ) {
    throw new Error(`haproxyConfig: expected http://HOST:PORT, got ${url}`);
  }
  return `${parsed.hostname}:${parsed.port}`;
}
