/**
 * Devices: the row a push locks, the seqs it holds, resend conflicts, and contact times.
 */
import type { Sql } from '../db.ts';
import { asDeviceId } from '../../domain/ids.ts';
import type { ResendConflictView } from '../../domain/protocol.ts';
import { iso, json, num } from './rows.ts';

/** Locks the device's row until the transaction ends (creating it on first contact); returns its last seq. */
export async function lockDevice(tx: Sql, deviceId: string): Promise<number> {
  const lock = () => tx.query<{ last_seq: number }>('SELECT last_seq FROM devices WHERE device_id = $1 FOR UPDATE', [deviceId], { prepared: true });
  let [r] = await lock();
  if (!r) {
    await tx.query('INSERT INTO devices (device_id) VALUES ($1) ON CONFLICT DO NOTHING', [deviceId]);
    [r] = await lock();
  }
  return num(r?.last_seq);
}

/** The event ids (and content hashes, null before migration 4) the ledger holds for these seqs of a device. */
export async function storedSeqs(tx: Sql, deviceId: string, seqs: number[]): Promise<Map<number, { id: string; hash: string | null }>> {
  if (seqs.length === 0) return new Map();
  const rows = await tx.query<{ seq: number; id: string; payload_hash: string | null }>(
    'SELECT seq, id, payload_hash FROM ledger WHERE device_id = $1 AND seq = ANY($2::bigint[])',
    [deviceId, seqs],
    { prepared: true },
  );
  return new Map(rows.map((r) => [num(r.seq), { id: r.id, hash: r.payload_hash }]));
}

/** `storedHash`: the content hash of the ledger's copy (the table's `held_hash` column). */
export type ResendConflict = { seq: number; eventId: string; storedHash: string; sentHash: string; sent: unknown };

/** Records resends of stored events with other content; a repeat of the same content counts up its row. */
export async function recordResendConflicts(tx: Sql, deviceId: string, at: Date, conflicts: ResendConflict[]): Promise<void> {
  if (conflicts.length === 0) return;
  await tx.query(
    `INSERT INTO event_conflicts (device_id, seq, event_id, held_hash, sent_hash, sent, first_seen_at, last_seen_at)
     SELECT $1, seq, event_id, held_hash, sent_hash, sent, $2, $2
     FROM jsonb_to_recordset($3::jsonb) AS x(seq bigint, event_id text, held_hash text, sent_hash text, sent jsonb)
     ORDER BY seq
     ON CONFLICT (device_id, seq, sent_hash) DO UPDATE SET times = event_conflicts.times + 1, last_seen_at = excluded.last_seen_at`,
    [deviceId, at, json(conflicts.map((c) => ({ seq: c.seq, event_id: c.eventId, held_hash: c.storedHash, sent_hash: c.sentHash, sent: c.sent })))],
  );
}

/** Resend conflicts, newest first: for supervisors. */
export async function resendConflictRows(db: Sql, limit: number): Promise<ResendConflictView[]> {
  const rows = await db.query(
    'SELECT device_id, seq, event_id, sent, first_seen_at, last_seen_at, times FROM event_conflicts ORDER BY last_seen_at DESC, id DESC LIMIT $1',
    [limit],
  );
  return rows.map((r) => ({
    deviceId: asDeviceId(String(r.device_id)),
    seq: num(r.seq),
    eventId: String(r.event_id),
    sent: r.sent,
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: iso(r.last_seen_at),
    times: num(r.times),
  }));
}

/** Records that a device called in without delivering anything new. */
export async function touchDevice(tx: Sql, deviceId: string, at: Date): Promise<void> {
  await tx.query('UPDATE devices SET last_contact_at = $2 WHERE device_id = $1', [deviceId, at], { prepared: true });
}

/** Notes that a device called in (a pull counts as contact) and answers its last seq. */
export async function deviceContact(db: Sql, deviceId: string, at: Date): Promise<number> {
  const [r] = await db.query<{ last_seq: number }>(
    `INSERT INTO devices (device_id, last_contact_at) VALUES ($1, $2)
     ON CONFLICT (device_id) DO UPDATE SET last_contact_at = GREATEST(devices.last_contact_at, excluded.last_contact_at)
     RETURNING last_seq`,
    [deviceId, at],
  );
  return num(r?.last_seq);
}
