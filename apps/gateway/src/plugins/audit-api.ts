import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { RecordingStore } from '../recording/store/recording-store.js';

const auditQuerySchema = z.strictObject({
  kind: z
    .enum(['session-start', 'session-end', 'session-refused', 'recording-failed', 'host-key', 'sign-in'])
    .optional(),
  owner: z.string().max(200).optional(),
  target: z.string().max(300).optional(),
  sessionId: z.string().max(64).optional(),
  afterId: z.coerce.number().int().min(0).optional(),
  beforeId: z.coerce.number().int().min(0).optional(),
  /** `newest`: newest first, paging back with `beforeId`, as the audit page reads it. @default oldest */
  order: z.enum(['oldest', 'newest']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/**
 * The audit trail for administrators, and recordings for administrators and the session's
 * owner. Ownership comes from the audit trail itself, so it holds after the session ended.
 */
export async function auditApi(
  app: FastifyInstance,
  { audit, recordings }: { audit: AuditLog; recordings: RecordingStore | undefined },
) {
  app.get('/api/audit', async (request, reply) => {
    if (!request.gatewayUser?.admin)
      return reply.code(403).send({ error: 'the audit log is for administrators' });
    const query = auditQuerySchema.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: query.error.issues[0]?.message ?? 'bad query' });
    const { order, ...filters } = query.data;
    return audit.query({ ...filters, newestFirst: order === 'newest' });
  });

  app.get<{ Params: { sessionId: string } }>('/api/recordings/:sessionId', async (request, reply) => {
    const { sessionId } = request.params;
    // Both "not yours" and "does not exist" answer 404, so ids cannot be probed.
    const notFound = () => reply.code(404).send({ error: 'no such recording' });
    if (!recordings || !/^[A-Za-z0-9_-]{22}$/.test(sessionId)) return notFound();
    const [start] = await audit.query({ sessionId, kind: 'session-start', limit: 1 });
    const owner = start?.event.kind === 'session-start' ? start.event.owner : undefined;
    if (owner === undefined || !(request.gatewayUser?.admin || owner === request.owner)) return notFound();
    let recording: Awaited<ReturnType<RecordingStore['read']>>;
    try {
      // From the store, whichever replica recorded it: so far while the session runs, all of it after.
      recording = await recordings.read(sessionId);
    } catch (error) {
      request.log.error({ err: error, sessionId }, 'the recording store cannot be read');
      return reply.code(503).send({ error: 'the recording store cannot be read now; try again later' });
    }
    if (!recording) return notFound();
    return reply.type('application/x-asciicast').header('cache-control', 'no-store').send(recording);
  });
}
