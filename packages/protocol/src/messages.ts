import { z } from 'zod';
import { TERMINAL_LIMITS } from './constants.js';
import { ERROR_CODES } from './error-codes.js';

// Terminal bytes travel as binary frames in both directions; everything below is a JSON text frame
// with a literal `type`, split by direction so each side only ever parses what the other may send.

/** Sign-in methods a target can allow; names as in ssh_config(5) PreferredAuthentications. */
export const AUTH_METHODS = ['password', 'publickey', 'keyboard-interactive'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

const cols = z.number().int().min(TERMINAL_LIMITS.minCols).max(TERMINAL_LIMITS.maxCols);
const rows = z.number().int().min(TERMINAL_LIMITS.minRows).max(TERMINAL_LIMITS.maxRows);

export const authRequestSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('password'), password: z.string().max(4096) }),
  z.object({
    method: z.literal('publickey'),
    /** OpenSSH, PEM or PuTTY private key text, pasted or read from a file in the browser. */
    privateKey: z
      .string()
      .min(1)
      .max(48 * 1024),
    passphrase: z.string().max(4096).optional(),
  }),
  /** The server's prompts are relayed to the browser as `auth-prompt` messages. */
  z.object({ method: z.literal('keyboard-interactive') }),
  /** The target holds its own credentials: the gateway signs in with a key it keeps and never shows. */
  z.object({ method: z.literal('gateway-key') }),
]);
export type AuthRequest = z.infer<typeof authRequestSchema>;

export const clientMessageSchema = z.discriminatedUnion('type', [
  /** First message on a connection: start a new session on an allowlisted target. */
  z.object({
    type: z.literal('open'),
    protocol: z.number().int(),
    target: z.string().min(1).max(256),
    /** Only with the free-form target: the host the person typed, checked against the operator's CIDR allowlist. */
    address: z
      .object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) })
      .optional(),
    /** Ignored when the target fixes the user in the gateway's config. */
    username: z.string().max(256).optional(),
    auth: authRequestSchema,
    cols,
    rows,
  }),
  /**
   * First message on a connection that resumes a session after a drop or a reload. `position`
   * is how many output bytes this page has already written to its terminal; null asks for
   * whatever recent output the gateway still holds (a fresh page).
   */
  z.object({
    type: z.literal('attach'),
    protocol: z.number().int(),
    sessionId: z.string().min(1).max(64),
    position: z.number().int().min(0).nullable(),
  }),
  /** Output bytes up to `position` have been parsed by the terminal (flow control). */
  z.object({ type: z.literal('ack'), position: z.number().int().min(0) }),
  /** Answers to the last `auth-prompt`, in prompt order. */
  z.object({ type: z.literal('auth-answers'), answers: z.array(z.string().max(4096)).max(32) }),
  /** The person's verdict on a host key offered for trust-on-first-use. */
  z.object({ type: z.literal('host-key-decision'), accept: z.boolean() }),
  z.object({ type: z.literal('resize'), cols, rows }),
  /** The person hangs up: the gateway closes the SSH session. */
  z.object({ type: z.literal('close') }),
  /**
   * Only on the internal hop between replicas (a page sending it is answered UNEXPECTED_MESSAGE):
   * the relaying replica's shortest round trip to the browser, which the owner's flow window
   * adds to the hop's own (docs/architecture.md, "Cluster").
   */
  z.object({ type: z.literal('hop-leg'), browserRttMs: z.number().min(0).max(600_000) }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

const durationMs = z.number().min(0);

/** One leg's heartbeat health (gateway→target over SSH, or gateway→browser over the WebSocket). */
export const legHealthSchema = z.object({
  /** `off` when the interval is 0; `missed` once a heartbeat went a whole interval unanswered. */
  state: z.enum(['off', 'live', 'missed', 'lost']),
  missed: z.number().int().min(0),
  countMax: z.number().int().min(0),
  intervalMs: durationMs,
  lastRttMs: durationMs.optional(),
  /** Percentiles over the recent window of round trips. */
  rttP50Ms: durationMs.optional(),
  rttP95Ms: durationMs.optional(),
  /** Time since the last reply when this message was sent. */
  lastReplyAgoMs: durationMs.optional(),
});
export type LegHealth = z.infer<typeof legHealthSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  /** Pushed on every change of either leg's health (never polled). */
  z.object({
    type: z.literal('health'),
    ssh: legHealthSchema,
    browser: legHealthSchema,
    /**
     * When another replica owns the session: the hop between the replica this page talks to and
     * the owner (WebSocket pings across it). `browser` is then the page's own leg to its replica.
     */
    hop: legHealthSchema.optional(),
    /** Whether kernel TCP keepalive is on for the socket to the target. */
    tcpKeepAlive: z.boolean(),
  }),
  /** keyboard-interactive prompts from the target, relayed verbatim (PAM, one-time codes). */
  z.object({
    type: z.literal('auth-prompt'),
    name: z.string(),
    instructions: z.string(),
    prompts: z.array(z.object({ prompt: z.string(), echo: z.boolean() })),
  }),
  /** An unknown host key on a trust-on-first-use target: answer with `host-key-decision`. */
  z.object({
    type: z.literal('host-key-unknown'),
    host: z.string(),
    port: z.number().int(),
    keyType: z.string(),
    fingerprint: z.string(),
  }),
  /** The shell is running; `sessionId` names the gateway-owned session, not this connection. */
  z.object({
    type: z.literal('opened'),
    sessionId: z.string(),
    target: z.string(),
    username: z.string(),
  }),
  /**
   * Reattached: binary frames follow from output byte `position`. `lostBytes` > 0 means output
   * was dropped while no browser was attached (only under the drop-oldest overflow policy).
   */
  z.object({
    type: z.literal('attached'),
    sessionId: z.string(),
    target: z.string(),
    username: z.string(),
    position: z.number().int().min(0),
    lostBytes: z.number().int().min(0),
  }),
  /** The remote shell ended; the session is over. */
  z.object({
    type: z.literal('exit'),
    code: z.number().int().nullable(),
    signal: z.string().nullable(),
  }),
  z.object({
    type: z.literal('error'),
    code: z.enum(ERROR_CODES),
    /** Words for a person, from `describeError`. */
    message: z.string(),
    /** True when the session is over; false when only the offending message was dropped. */
    fatal: z.boolean(),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** A public description of an allowlisted target, as `GET /api/targets` lists it. */
export const targetSummarySchema = z
  .object({
    name: z.string(),
    /** Shown to people; the host and port stay on the gateway. */
    label: z.string(),
    /** The user is fixed by the operator; the browser does not ask for one. */
    user: z.string().optional(),
    /** What the person may sign in with; empty when the gateway signs in itself (`gatewayKey`). */
    authMethods: z.array(z.enum(AUTH_METHODS)),
    /** The gateway holds this target's key: open it with `auth: { method: 'gateway-key' }`, nothing asked. */
    gatewayKey: z.literal(true).optional(),
    /** Set on the one entry named FREE_FORM_TARGET: the person types host and port (`open.address`). */
    freeForm: z.object({ ports: z.array(z.number().int()) }).optional(),
  })
  .refine((target) => target.gatewayKey === true || target.authMethods.length > 0, {
    path: ['authMethods'],
    message: 'a target the person signs in to needs at least one method',
  });
export type TargetSummary = z.infer<typeof targetSummarySchema>;

/** A live session of the asking browser, as `GET /api/sessions` lists it. */
export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  target: z.string(),
  username: z.string(),
  /** Milliseconds since the epoch. */
  startedAt: z.number(),
  /** Whether a browser is attached right now (attaching takes it over). */
  attached: z.boolean(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

/** Any owner's live session, as `GET /api/admin/sessions` lists it for administrators. */
export const liveSessionSchema = sessionSummarySchema.extend({
  /** `user:<name>`, or `browser:<id>` without sign-in. */
  owner: z.string(),
  /** The address of the browser that opened it. */
  source: z.string(),
  bytesToTarget: z.number(),
  bytesFromTarget: z.number(),
  /**
   * Flow control towards the attached browser (docs/architecture.md, "Flow control"): the window
   * earned by the page's measured drain rate (null before the first measurement), the output sent
   * but not yet acknowledged, and the SSH channel window granted to follow the window. Null while
   * no browser is attached.
   */
  flow: z
    .object({
      windowBytes: z.number(),
      unackedBytes: z.number(),
      channelWindowBytes: z.number(),
      drainBytesPerSecond: z.number().nullable(),
    })
    .nullable(),
});
export type LiveSession = z.infer<typeof liveSessionSchema>;

/** `GET /api/me`: whether sign-in is required here, and who is signed in. */
export const signInStateSchema = z.object({
  /** False when the gateway runs without sign-in (loopback only). */
  required: z.boolean(),
  /** Sign-in methods the page can offer: a password form for `local`, a link to `/auth/oidc/login` for `oidc`. */
  methods: z.array(z.enum(['local', 'oidc', 'trusted-header'])),
  user: z.object({ name: z.string(), groups: z.array(z.string()), admin: z.boolean() }).optional(),
});
export type SignInState = z.infer<typeof signInStateSchema>;

/** `POST /api/login` body (JSON). */
export const loginRequestSchema = z.object({
  name: z.string().min(1).max(128),
  password: z.string().min(1).max(4096),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;
