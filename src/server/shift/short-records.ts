/**
 * SQL of short records (migration 9, `pick_shorts`): one row per applied `pick.short`, read and
 * locked by a push that undoes one, written by a push that records or undoes one. Kept beside
 * the ingest storage so its restructuring and this table do not collide.
 */
import type { Sql } from '../db.ts';
import type { EventId, LocationId, Sku } from '../../domain/ids.ts';
import type { ShortRecord } from '../../domain/stock.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The short records a batch undoes, locked for the rest of the push (none asked: no round trip). */
export async function lockShorts(tx: Sql, eventIds: readonly string[]): Promise<ShortRecord[]> {
  if (eventIds.length === 0) return [];
  const rows = await tx.query<{
    event_id: string;
    pick_list_id: string;
    line_id: string;
    sku: string;
    location: string;
    missing: number;
    moved: number;
    undone: number;
    returned: number;
  }>(
    `SELECT event_id, pick_list_id, line_id, sku, location, missing, moved, undone, returned FROM pick_shorts
     WHERE event_id = ANY($1::text[]) ORDER BY event_id FOR UPDATE`,
    [[...eventIds]],
  );
  return rows.map((r) => ({
    eventId: r.event_id as EventId,
    pickListId: r.pick_list_id,
    lineId: r.line_id,
    sku: r.sku as Sku,
    location: r.location as LocationId,
    missing: num(r.missing),
    moved: num(r.moved),
    undone: num(r.undone),
    returned: num(r.returned),
  }));
}

/** Writes short records created or changed by a push, whole (the planner's figures win). */
export async function writeShorts(tx: Sql, records: readonly ShortRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query(
    `INSERT INTO pick_shorts (event_id, pick_list_id, line_id, sku, location, missing, moved, undone, returned)
     SELECT event_id, pick_list_id, line_id, sku, location, missing, moved, undone, returned
     FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, pick_list_id text, line_id text, sku text, location text, missing int, moved int, undone int, returned int)
     ON CONFLICT (event_id) DO UPDATE SET undone = excluded.undone, returned = excluded.returned`,
    [
      JSON.stringify(
        [...records]
          .sort((a, b) => (a.eventId < b.eventId ? -1 : 1))
          .map((r) => ({
            event_id: r.eventId,
            pick_list_id: r.pickListId,
            line_id: r.lineId,
            sku: r.sku,
            location: r.location,
            missing: r.missing,
            moved: r.moved,
            undone: r.undone,
            returned: r.returned,
          })),
      ),
    ],
  );
}
