/** Push plugin: `POST /devices/:deviceId/events`, a device's batch of events (protocol v1). */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, type PushResponse } from '../../domain/protocol.ts';
import { fail } from '../http.ts';
import { carried, pushProcedure, readBatch } from '../ingest.ts';
import { authed, deviceParam, type ApiContext } from './guards.ts';

export async function pushRoutes(app: FastifyInstance, { db, channel, now }: ApiContext): Promise<void> {
  app.post(`${API_PREFIX}/devices/:deviceId/events`, authed, async (req, reply): Promise<PushResponse> => {
    const deviceId = deviceParam(req);
    const batch = readBatch(deviceId, req.body);
    if (!batch.ok) return fail(400, 'unreadable_batch', `${batch.problem.message}; nothing was applied`, batch.problem.field);
    const outcome = await db.procedure(pushProcedure, { deviceId, channel, now: now().getTime(), events: batch.events.map(carried) });
    if (outcome.status === 409) {
      req.log.warn({ deviceId, seq: outcome.body.seq }, 'seq reused for another event');
      return reply.code(409).send(outcome.body);
    }
    req.log.info(
      { deviceId, events: batch.events.length, ackedSeq: outcome.body.ackedSeq, rejected: outcome.body.rejected.length, expectedSeq: outcome.body.expectedSeq },
      'push',
    );
    return outcome.body;
  });
}
