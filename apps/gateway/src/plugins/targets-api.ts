import type { FastifyInstance } from 'fastify';
import type { TargetAllowlist } from '../targets/target-allowlist.js';

export async function targetsApi(app: FastifyInstance, { allowlist }: { allowlist: TargetAllowlist }) {
  app.get('/api/targets', async (request) => allowlist.summaries(request.gatewayUser));
}
