/** Work plugin: `GET /devices/:deviceId/work`, the complete work answer for the signed-in user's roles. */
import type { FastifyInstance } from 'fastify';
import { rolesFor } from '../../domain/events.ts';
import { API_PREFIX, type PullResponse } from '../../domain/protocol.ts';
import { hasRole } from '../../domain/roles.ts';
import { catalogForPull } from '../masterdata/pull.ts';
import * as storage from '../storage/index.ts';
import { authed, deviceParam, type ApiContext } from './guards.ts';

export async function workRoutes(app: FastifyInstance, { db, now }: ApiContext): Promise<void> {
  app.get(`${API_PREFIX}/devices/:deviceId/work`, authed, async (req): Promise<PullResponse> => {
    const deviceId = deviceParam(req);
    const user = req.user as storage.SessionUser;
    const roles = user.roles;
    const supervisor = roles.includes('supervisor');
    const cursor = await storage.workHead(db);
    const asked = (req.query as { cursor?: unknown }).cursor;
    const [lastSeq, catalog, locations, pickLists, receipts, countTasks, returns] = await Promise.all([
      storage.deviceContact(db, deviceId, now()),
      catalogForPull(db, (req.query as { catalogSince?: unknown }).catalogSince),
      storage.locationRows(db),
      hasRole(roles, ['picker']) ? storage.openPickLists(db, user.id) : [],
      hasRole(roles, ['receiver']) ? storage.openReceipts(db) : [],
      hasRole(roles, rolesFor('count.recorded')) ? storage.workCountTasks(db, ['open', 'started', 'awaiting_approval']) : [],
      supervisor ? storage.returnRows(db, true) : [],
    ]);
    // Named fields only: a count task's snapshot or held lines never reach a counter's handheld.
    const blind = countTasks.map((t) => ({ id: t.id, location: t.location, reason: t.reason, status: t.status }));
    return { cursor, ...(asked === cursor ? { unchanged: true } : {}), lastSeq, ...catalog, locations, pickLists, receipts, countTasks: blind, returns };
  });
}
