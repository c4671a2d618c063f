/**
 * Reads plugin, by role (README "API: who may read what"): stock figures would tell a blind
 * counter what to find, so they are a supervisor's; others read their own device's ledger only.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AnyDeviceIdSchema, LocationIdSchema, SkuSchema } from '../../domain/ids.ts';
import type { ConflictsAnswer, CountTasksAnswer, DevicesAnswer, DiscrepanciesAnswer, LedgerAnswer, ReturnsAnswer, StockAnswer } from '../../domain/protocol.ts';
import { API_PREFIX } from '../../domain/protocol.ts';
import { hasRole } from '../../domain/roles.ts';
import { fail, parse } from '../http.ts';
import { requireDeviceAdmin } from '../identity/routes.ts';
import { deviceAdminRows } from '../identity/storage.ts';
import * as storage from '../storage/index.ts';
import { authed, isSupervisor, requireRole, type ApiContext } from './guards.ts';

const optionalText = <T extends z.core.$ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), z.optional(s));
const StockQuery = z.object({ sku: optionalText(SkuSchema), location: optionalText(LocationIdSchema) });
const LedgerQuery = StockQuery.extend({
  // Reserved ids too: a supervisor may read the opening balances' device.
  deviceId: optionalText(AnyDeviceIdSchema),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export async function readRoutes(app: FastifyInstance, { db, now }: ApiContext): Promise<void> {
  app.get(`${API_PREFIX}/stock`, authed, async (req): Promise<StockAnswer> => {
    requireRole(req, 'supervisor');
    const q = parse(StockQuery, req.query, 'query');
    return { rows: await storage.stockRows(db, q) };
  });
  app.get(`${API_PREFIX}/ledger`, authed, async (req): Promise<LedgerAnswer> => {
    const q = parse(LedgerQuery, req.query, 'query');
    const asked = q.deviceId;
    const own = (req.user as storage.SessionUser).deviceId;
    if (!isSupervisor(req) && asked !== undefined && asked !== own) {
      return fail(403, 'forbidden', `only a supervisor may read another device's ledger; this session is on ${own}`, 'deviceId');
    }
    const deviceId = isSupervisor(req) ? asked : own;
    return { events: await storage.ledgerEvents(db, { ...q, ...(deviceId ? { deviceId } : {}) }) };
  });
  app.get(`${API_PREFIX}/conflicts`, authed, async (req): Promise<ConflictsAnswer> => {
    requireRole(req, 'supervisor');
    return { conflicts: await storage.resendConflictRows(db, 500) };
  });
  app.get(`${API_PREFIX}/discrepancies`, authed, async (req): Promise<DiscrepanciesAnswer> => {
    requireRole(req, 'supervisor');
    return { discrepancies: await storage.discrepancyRows(db, 500) };
  });
  app.get(`${API_PREFIX}/devices`, authed, async (req): Promise<DevicesAnswer> => {
    // The back office's devices tab: a supervisor's, and the admin's who hands out the handhelds.
    requireDeviceAdmin(req, 'list devices');
    return { devices: await deviceAdminRows(db, now()) };
  });
  app.get(`${API_PREFIX}/count-tasks`, authed, async (req): Promise<CountTasksAnswer> => {
    // Expected quantities only for supervisors: a counter's count stays blind.
    return { countTasks: await storage.countTaskRows(db, isSupervisor(req)) };
  });
  app.get(`${API_PREFIX}/returns`, authed, async (req): Promise<ReturnsAnswer> => {
    if (!hasRole((req.user as storage.SessionUser).roles, ['returns', 'receiver']))
      fail(403, 'forbidden', 'only returns, receiving or a supervisor may read returns');
    const open = (req.query as { open?: string }).open;
    return { returns: await storage.returnRows(db, open === '1' || open === 'true') };
  });
}
