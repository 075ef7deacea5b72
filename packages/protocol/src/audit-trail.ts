import { z } from 'zod';

// `GET /api/audit` answers with rows of these, oldest first. The gateway's AuditEvent
// (apps/gateway/src/audit/audit-log.ts) is the writer; this is what a reader may rely on.

/** The kinds of audit event, also the values of the `kind` query filter. */
export const AUDIT_EVENT_KINDS = [
  'session-start',
  'session-end',
  'session-refused',
  'host-key',
  'sign-in',
  'recording-failed',
] as const;
export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

/** Why a session ended. */
export const sessionEndReasonSchema = z.discriminatedUnion('reason', [
  /** The remote shell exited; OpenSSH's exit-status or exit-signal (RFC 4254 §6.10). */
  z.object({ reason: z.literal('exit'), code: z.number().int().nullable(), signal: z.string().nullable() }),
  /** `missed` keepalives went unanswered, `countMax` being the limit (ServerAliveCountMax). */
  z.object({ reason: z.literal('keepalive-timeout'), missed: z.number().int(), countMax: z.number().int() }),
  z.object({ reason: z.literal('closed'), detail: z.string() }),
  /** Ended through `DELETE /api/sessions/:id` by this gateway user (an administrator or the owner). */
  z.object({ reason: z.literal('ended-by'), by: z.string() }),
  /** An error code from the catalogue (ERROR_CODES), kept as a string so a newer gateway's codes still read. */
  z.object({ reason: z.literal('failure'), code: z.string() }),
  /**
   * The replica that owned the session stopped renewing its lease (it crashed, froze or lost the
   * database); another replica recorded the end on its behalf. `replica` is the lost one's id.
   */
  z.object({ reason: z.literal('replica-lost'), replica: z.string() }),
]);
export type SessionEndReason = z.infer<typeof sessionEndReasonSchema>;

const sessionFields = {
  sessionId: z.string(),
  /** `user:<name>` when signed in to the gateway, `browser:<id>` without sign-in. */
  owner: z.string(),
  /** The browser's address as the gateway saw it. */
  source: z.string(),
  target: z.string(),
  sshUser: z.string(),
};

export const auditEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('session-start'),
    ...sessionFields,
    /** How the SSH sign-in was made: an AuthRequest method, `gateway-key` for a key the gateway holds. */
    auth: z.string().optional(),
  }),
  z.object({
    kind: z.literal('session-end'),
    ...sessionFields,
    durationMs: z.number(),
    bytesToTarget: z.number(),
    bytesFromTarget: z.number(),
    end: sessionEndReasonSchema,
  }),
  z.object({
    kind: z.literal('session-refused'),
    owner: z.string(),
    source: z.string(),
    target: z.string(),
    /** Missing when the page never said which user (the refusal came first). */
    sshUser: z.string().optional(),
    code: z.string(),
  }),
  z.object({
    kind: z.literal('host-key'),
    owner: z.string(),
    source: z.string(),
    target: z.string(),
    keyType: z.string(),
    /** OpenSSH-style `SHA256:` fingerprint. */
    fingerprint: z.string(),
    decision: z.string(),
  }),
  z.object({
    kind: z.literal('recording-failed'),
    ...sessionFields,
    /** The error writing the recording gave (e.g. `ENOSPC: no space left on device, write`). */
    reason: z.string(),
  }),
  z.object({
    kind: z.literal('sign-in'),
    /** The name as typed, which may not exist; `?` when an OIDC sign-in failed before naming anyone. */
    user: z.string(),
    source: z.string(),
    method: z.string(),
    outcome: z.enum(['success', 'failure', 'throttled']),
    reason: z.string().optional(),
  }),
]);
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditRowSchema = z.object({
  /** Increasing; the `afterId` of the next page is the last row's id. */
  id: z.number().int(),
  /** Milliseconds since the epoch. */
  at: z.number(),
  event: auditEventSchema,
});
export type AuditRow = z.infer<typeof auditRowSchema>;

/** Reads a `GET /api/audit` answer; throws a ZodError naming the first bad field. */
export function parseAuditRows(json: unknown): AuditRow[] {
  return auditRowSchema.array().parse(json);
}
