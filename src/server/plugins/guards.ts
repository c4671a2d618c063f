/** What the API's route plugins share: their context, the session check, role checks and the device parameter. */
import type { FastifyRequest } from 'fastify';
import { DeviceIdSchema, type DeviceId } from '../../domain/ids.ts';
import type { Database } from '../db.ts';
import type { ChangeFeed } from '../feed.ts';
import { fail, parse } from '../http.ts';
import { requireSession } from '../identity/routes.ts';

/** Handed to every route plugin: the database, the change feed and its channel, and the clock. */
export type ApiContext = { db: Database; feed: ChangeFeed; channel: string; now: () => Date };

/** Route option: the request must carry a live session. */
export const authed = { preHandler: async (req: FastifyRequest) => void requireSession(req) };

export const isSupervisor = (req: FastifyRequest): boolean => req.user?.roles.includes('supervisor') ?? false;

export function requireRole(req: FastifyRequest, role: 'supervisor'): void {
  if (!req.user?.roles.includes(role)) fail(403, 'forbidden', `only a ${role} may read this`);
}

/** The `:deviceId` of the URL, normalised, and only the session's own device (not a reset one). */
export function deviceParam(req: FastifyRequest): DeviceId {
  const id = parse(DeviceIdSchema, (req.params as { deviceId?: string }).deviceId, 'deviceId');
  if (req.user && req.user.deviceId !== id) {
    fail(403, 'wrong_device', `this session was opened on device ${req.user.deviceId}; sign in on ${id} to use it`);
  }
  // A reset registration takes nothing more: the device re-registers and sends again under a new id.
  if (req.user?.deviceReset) fail(403, 'device_reset', 'a supervisor reset this handheld: sign in again to re-register it and send its undelivered scans');
  return id;
}
