/**
 * What a push reads besides stock, in one round trip, and the savepoints of its one-by-one fallback.
 */
import type { Sql } from '../db.ts';
import type { CountTask, LocationKind, PickLineRecord, PickRecord, ReturnRecord } from '../../domain/stock.ts';
import type { Role } from '../../domain/roles.ts';
import type { SessionContext } from '../identity/storage.ts';
import { bucketsOf, json, num, toCountTask, type CountTaskRow } from './rows.ts';
import type { StockRow } from './stock.ts';

/** Savepoints: one event's failure inside a push is undone without undoing the others. */
export const savepoint = async (tx: Sql, name: string): Promise<void> => void (await tx.query(`SAVEPOINT ${name}`));
export const releaseSavepoint = async (tx: Sql, name: string): Promise<void> => void (await tx.query(`RELEASE SAVEPOINT ${name}`));
export const rollbackToSavepoint = async (tx: Sql, name: string): Promise<void> => void (await tx.query(`ROLLBACK TO SAVEPOINT ${name}`));

export type PushContext = {
  /**
   * Known users among the actors, with whether each has signed in on this device, since when an
   * admin disabled them and their last disabled window before an enable (epoch ms).
   */
  actors: Map<string, { roles: Role[]; signedIn: boolean; disabledAt: number | null; wasDisabled: { from: number; until: number } | null }>;
  /** Event ids already in the ledger (under any device and seq). */
  knownIds: Set<string>;
  /** The count tasks the batch reads, locked. */
  tasks: CountTask[];
  /** Applied `pick.held` events the batch undoes, locked: what a `pick.undone` corrects. */
  picks: PickRecord[];
  /** The pick lines the batch names (or whose picks it undoes), locked. */
  lines: PickLineRecord[];
  /** The returns the batch names, locked. */
  returns: ReturnRecord[];
  /** Of the SKUs, locations and receipts the batch names, those that exist. */
  skus: Set<string>;
  locations: Map<string, LocationKind>;
  receipts: Set<string>;
  /** The sessions the events name and the legacy (pre-session) actors of this device's lineage. */
  sessions: SessionContext;
  /** The stock rows the events name, every row at the bins they count and at approved tasks' bins, locked in key order after the records. */
  stock: StockRow[];
};

/**
 * Everything a push reads besides stock, in one round trip: who may act (actors, the sessions the
 * events name, checked against this device's lineage: the device and the registrations it
 * replaced after supervisor resets), which ids and references exist, and the records events refer
 * to, locked in key order, then the stock rows they touch (keys without a row are left to
 * `addMissingStock`).
 */
export async function pushContext(
  tx: Sql,
  q: {
    deviceId: string;
    actors: string[];
    eventIds: string[];
    taskIds: string[];
    pickIds: string[];
    pickLines: { pickListId: string; lineId: string }[];
    returnIds: string[];
    skus: string[];
    locations: string[];
    receiptIds: string[];
    sessionIds: string[];
    legacyActors: string[];
    stockKeys: { sku: string; location: string }[];
    /** Bins counted whole, and the count tasks approved (their bins are counted whole too). */
    stockLocations: string[];
    approvedTaskIds: string[];
  },
): Promise<PushContext> {
  const [r] = await tx.query<{
    actors: { id: string; roles: Role[]; signedIn: boolean; disabledAt: string | null; from: string | null; until: string | null }[];
    known: string[];
    tasks: CountTaskRow[];
    lines: { pick_list_id: string; line_id: string; sku: string; location: string; qty: number; picked: number; short: number }[];
    picks: {
      event_id: string;
      pick_list_id: string;
      line_id: string;
      sku: string;
      location: string;
      qty: number;
      taken: number;
      undone: number;
      returned: number;
    }[];
    returns: { return_id: string; sku: string; location: string; qty: number; resolved_qty: number }[];
    skus: string[];
    locations: { id: string; kind: LocationKind }[];
    receipts: string[];
    sessions: { id: string; userId: string; revoked: boolean; onDevice: boolean }[];
    legacy: string[];
    stock: ({ sku: string; location: string } & Record<string, unknown>)[];
  }>(
    `WITH RECURSIVE lineage (device_id, depth) AS (
       SELECT $1::text, 0
       UNION ALL
       SELECT d.replaces, l.depth + 1 FROM devices d JOIN lineage l ON d.device_id = l.device_id
       WHERE d.replaces IS NOT NULL AND l.depth < 50)
     SELECT
       (SELECT coalesce(json_agg(json_build_object('id', u.id, 'roles', u.roles, 'signedIn', du.user_id IS NOT NULL, 'disabledAt', u.locked_at, 'from', u.disabled_from, 'until', u.disabled_until)), '[]')
          FROM users u LEFT JOIN device_users du ON du.user_id = u.id AND du.device_id = $1
          WHERE u.id = ANY($2::text[])) AS actors,
       (SELECT coalesce(json_agg(DISTINCT k.id), '[]') FROM unnest($3::text[]) AS k(id) WHERE EXISTS (SELECT 1 FROM ledger l WHERE l.id = k.id)) AS known,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT id, location, reason, status, snapshot, held, started FROM count_tasks WHERE id = ANY($4::text[]) ORDER BY id FOR UPDATE) t) AS tasks,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT pick_list_id, line_id, sku, location, qty, picked, short FROM pick_lines
          WHERE (pick_list_id, line_id) IN (
            SELECT pick_list_id, line_id FROM jsonb_to_recordset($6::jsonb) AS x(pick_list_id text, line_id text)
            UNION ALL SELECT pick_list_id, line_id FROM picks WHERE event_id = ANY($5::text[]))
          ORDER BY pick_list_id, line_id FOR UPDATE) t) AS lines,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT event_id, pick_list_id, line_id, sku, location, qty, taken, undone, returned FROM picks
          WHERE event_id = ANY($5::text[]) ORDER BY event_id FOR UPDATE) t) AS picks,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT return_id, sku, location, qty, resolved_qty FROM returns WHERE return_id = ANY($7::text[]) ORDER BY return_id FOR UPDATE) t) AS returns,
       (SELECT coalesce(json_agg(sku), '[]') FROM catalog WHERE sku = ANY($8::text[])) AS skus,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'kind', kind)), '[]') FROM locations WHERE id = ANY($9::text[])) AS locations,
       (SELECT coalesce(json_agg(id), '[]') FROM receipts WHERE id = ANY($10::text[])) AS receipts,
       (SELECT coalesce(json_agg(json_build_object('id', s.id, 'userId', s.user_id, 'revoked', s.revoked_at IS NOT NULL,
                 'onDevice', s.device_id IN (SELECT device_id FROM lineage))), '[]')
          FROM sessions s WHERE s.id = ANY($11::text[])) AS sessions,
       (SELECT coalesce(json_agg(DISTINCT du.user_id), '[]') FROM device_users du
          WHERE du.legacy AND du.user_id = ANY($12::text[]) AND du.device_id IN (SELECT device_id FROM lineage)) AS legacy,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT sku, location, available, committed, qc, quarantine, suspect FROM stock
          WHERE (sku, location) IN (
            SELECT sku, location FROM jsonb_to_recordset($13::jsonb) AS k(sku text, location text)
            UNION ALL SELECT sku, location FROM stock WHERE location = ANY($14::text[])
            UNION ALL SELECT s.sku, s.location FROM count_tasks t JOIN stock s ON s.location = t.location WHERE t.id = ANY($15::text[]))
          ORDER BY sku, location FOR UPDATE) t) AS stock`,
    [
      q.deviceId,
      q.actors,
      q.eventIds,
      q.taskIds,
      q.pickIds,
      json(q.pickLines.map((l) => ({ pick_list_id: l.pickListId, line_id: l.lineId }))),
      q.returnIds,
      q.skus,
      q.locations,
      q.receiptIds,
      q.sessionIds,
      q.legacyActors,
      json(q.stockKeys),
      q.stockLocations,
      q.approvedTaskIds,
    ],
    { prepared: true },
  );
  return {
    actors: new Map(
      (r?.actors ?? []).map((a) => [
        a.id,
        {
          roles: a.roles,
          signedIn: a.signedIn,
          disabledAt: a.disabledAt === null ? null : Date.parse(a.disabledAt),
          wasDisabled: a.from === null || a.until === null ? null : { from: Date.parse(a.from), until: Date.parse(a.until) },
        },
      ]),
    ),
    knownIds: new Set(r?.known ?? []),
    tasks: (r?.tasks ?? []).map(toCountTask),
    lines: (r?.lines ?? []).map((l) => ({
      pickListId: l.pick_list_id,
      lineId: l.line_id,
      sku: l.sku,
      location: l.location,
      qty: num(l.qty),
      picked: num(l.picked),
      short: num(l.short),
    })),
    picks: (r?.picks ?? []).map((p) => ({
      eventId: p.event_id as PickRecord['eventId'],
      pickListId: p.pick_list_id,
      lineId: p.line_id,
      sku: p.sku as PickRecord['sku'],
      location: p.location as PickRecord['location'],
      qty: num(p.qty),
      taken: num(p.taken),
      undone: num(p.undone),
      returned: num(p.returned),
    })),
    returns: (r?.returns ?? []).map((x) => ({ returnId: x.return_id, sku: x.sku, location: x.location, qty: num(x.qty), resolved: num(x.resolved_qty) })),
    skus: new Set(r?.skus ?? []),
    locations: new Map((r?.locations ?? []).map((l) => [l.id, l.kind])),
    receipts: new Set(r?.receipts ?? []),
    sessions: {
      sessions: new Map((r?.sessions ?? []).map((s) => [s.id, { userId: s.userId, revoked: s.revoked, onDevice: s.onDevice }])),
      legacyActors: new Set(r?.legacy ?? []),
    },
    stock: (r?.stock ?? []).map((s) => ({ sku: s.sku, location: s.location, buckets: bucketsOf(s) })),
  };
}
