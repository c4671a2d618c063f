/**
 * Offline sign-in routes (issue 13): a signed-in handheld asks for its user's grant right
 * after an online sign-in; a supervisor sets how long a grant lasts (0 turns offline sign-in
 * off) and revokes a user's grants. See grants.ts for what a grant vouches for.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { API_PREFIX } from '../../domain/protocol.ts';
import { OfflineSettingSchema, type OfflineGrantResponse, type OfflineSetting, type RevokeGrantsResponse } from '../../domain/shift/protocol.ts';
import type { Database } from '../db.ts';
import { fail, parse } from '../http.ts';
import { requireSession, requireSupervisor } from '../identity/routes.ts';
import { issueGrant, offlineHours, revokeUserGrants, setOfflineHours } from './grants.ts';

const UserIdParam = z.strictObject({ userId: z.string().trim().min(1, 'user is empty').max(64, 'user is too long') });

export function shiftRoutes(deps: { db: Database; now: () => Date }) {
  const { db, now } = deps;
  return async (app: FastifyInstance): Promise<void> => {
    app.post(`${API_PREFIX}/offline-grants`, async (req): Promise<OfflineGrantResponse> => {
      const session = requireSession(req);
      if (req.body !== undefined && req.body !== null && (typeof req.body !== 'object' || Object.keys(req.body).length > 0)) {
        return fail(400, 'invalid_request', 'body: a grant request carries nothing (the session says who and where)', 'body');
      }
      const hours = await offlineHours(db);
      if (hours === 0) return fail(403, 'offline_sign_in_off', 'a supervisor turned offline sign-in off');
      const { token, claims } = await issueGrant(db, { userId: session.id, deviceId: session.deviceId, sessionId: session.sessionId }, now(), hours);
      return { grant: token, grantId: claims.g, userId: claims.u, deviceId: claims.d, issuedAt: claims.iat, expiresAt: claims.exp };
    });

    app.get(`${API_PREFIX}/settings/offline-sign-in`, async (req): Promise<OfflineSetting> => {
      requireSupervisor(req, 'read the offline sign-in setting');
      return { hours: await offlineHours(db) };
    });

    app.put(`${API_PREFIX}/settings/offline-sign-in`, async (req): Promise<OfflineSetting> => {
      const supervisor = requireSupervisor(req, 'change the offline sign-in setting');
      const { hours } = parse(OfflineSettingSchema, req.body, 'body');
      await setOfflineHours(db, hours, supervisor.id, now());
      return { hours };
    });

    app.post(`${API_PREFIX}/users/:userId/offline-grants/revoke`, async (req): Promise<RevokeGrantsResponse> => {
      requireSupervisor(req, "revoke a user's offline sign-in");
      const { userId } = parse(UserIdParam, req.params, 'userId');
      return { userId, revoked: await revokeUserGrants(db, userId, now()) };
    });
  };
}
