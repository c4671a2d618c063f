/**
 * Channels as records: registration, API keys (only their hashes are stored), policy rules,
 * webhook endpoints and their secrets, the delivery log.
 */
import { randomBytes } from 'node:crypto';
import type { PolicyRule } from '../../domain/channels/atp.ts';
import type { CreateChannel } from '../../domain/channels/protocol.ts';
import { tokenHash } from '../auth.ts';
import type { Sql } from '../db.ts';
import { newSecret, type Secret } from './outbox.ts';

/** The NOTIFY channel that wakes webhook workers of this schema. */
export async function webhookChannel(db: Sql): Promise<string> {
  const [row] = await db.query<{ s: string }>('SELECT current_schema() AS s');
  return `floor_webhooks_${row?.s ?? 'public'}`.slice(0, 63);
}

/** A channel API key: `ck_` + 32 random bytes; what is stored is its SHA-256. */
export const newChannelKey = (): string => `ck_${randomBytes(32).toString('base64url')}`;

export type ChannelInfo = { id: string; name: string; sites: string[]; reservationTtlSeconds: number; createdAt: string; disabled: boolean };

const toInfo = (r: { id: string; name: string; sites: string[]; ttl: number; created_at: Date | string; disabled_at: unknown }): ChannelInfo => ({
  id: r.id,
  name: r.name,
  sites: r.sites,
  reservationTtlSeconds: Number(r.ttl),
  createdAt: new Date(r.created_at).toISOString(),
  disabled: r.disabled_at !== null,
});

export async function unknownSites(db: Sql, sites: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM sites WHERE id = ANY($1::text[]) AND active', [[...sites]]);
  const known = new Set(rows.map((r) => r.id));
  return sites.filter((s) => !known.has(s));
}

/** Registers a channel with its first key; answers undefined when the id is taken. */
export async function createChannel(tx: Sql, c: CreateChannel, by: string, now: Date): Promise<{ channel: ChannelInfo; apiKey: string } | undefined> {
  const rows = await tx.query<{ id: string; name: string; sites: string[]; ttl: number; created_at: Date; disabled_at: null }>(
    `INSERT INTO channels (id, name, sites, reservation_ttl_seconds, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING RETURNING id, name, sites, reservation_ttl_seconds AS ttl, created_at, disabled_at`,
    [c.id, c.name, c.sites, c.reservationTtlSeconds, by, now],
  );
  const row = rows[0];
  if (!row) return undefined;
  const apiKey = await addKey(tx, c.id, now);
  return { channel: toInfo(row), apiKey };
}

export async function addKey(tx: Sql, channelId: string, now: Date, revokeOthers = false): Promise<string> {
  if (revokeOthers) await tx.query('UPDATE channel_keys SET revoked_at = $2 WHERE channel_id = $1 AND revoked_at IS NULL', [channelId, now]);
  const key = newChannelKey();
  await tx.query('INSERT INTO channel_keys (key_hash, channel_id, prefix, created_at) VALUES ($1, $2, $3, $4)', [
    tokenHash(key),
    channelId,
    key.slice(0, 10),
    now,
  ]);
  return key;
}

export async function channelRows(db: Sql): Promise<ChannelInfo[]> {
  const rows = await db.query<{ id: string; name: string; sites: string[]; ttl: number; created_at: Date; disabled_at: unknown }>(
    'SELECT id, name, sites, reservation_ttl_seconds AS ttl, created_at, disabled_at FROM channels ORDER BY id',
  );
  return rows.map(toInfo);
}

export async function channelExists(db: Sql, id: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM channels WHERE id = $1 AND disabled_at IS NULL', [id])).length > 0;
}

/** The channel a key belongs to (an active key of an active channel), or undefined. */
export async function channelOfKey(db: Sql, key: string): Promise<string | undefined> {
  const rows = await db.query<{ channel_id: string }>(
    `SELECT k.channel_id FROM channel_keys k JOIN channels c ON c.id = k.channel_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND c.disabled_at IS NULL`,
    [tokenHash(key)],
  );
  return rows[0]?.channel_id;
}

/** Replaces a channel's policy rules. */
export async function replacePolicies(tx: Sql, channelId: string, rules: readonly PolicyRule[]): Promise<void> {
  await tx.query('DELETE FROM channel_policies WHERE channel_id = $1', [channelId]);
  if (rules.length === 0) return;
  await tx.query(
    `INSERT INTO channel_policies (channel_id, sku, site_id, safety_buffer, share_pct, max_listed, max_listed_set, ring_fence)
     SELECT $1, sku, site_id, safety_buffer, share_pct, max_listed, max_listed_set, ring_fence
     FROM jsonb_to_recordset($2::jsonb) AS x(sku text, site_id text, safety_buffer int, share_pct int, max_listed int, max_listed_set boolean, ring_fence int)`,
    [
      channelId,
      JSON.stringify(
        rules.map((r) => ({
          sku: r.sku ?? '*',
          site_id: r.site ?? '*',
          safety_buffer: r.safetyBuffer ?? null,
          share_pct: r.sharePct ?? null,
          max_listed: r.maxListed ?? null,
          max_listed_set: r.maxListed !== undefined,
          ring_fence: r.ringFence ?? null,
        })),
      ),
    ],
  );
}

/** SKUs in the catalog (every SKU a channel may list). */
export async function catalogSkus(db: Sql): Promise<string[]> {
  return (await db.query<{ sku: string }>('SELECT sku FROM catalog ORDER BY sku')).map((r) => r.sku);
}

export async function knownSkus(db: Sql, skus: readonly string[]): Promise<Set<string>> {
  return new Set((await db.query<{ sku: string }>('SELECT sku FROM catalog WHERE sku = ANY($1::text[])', [[...skus]])).map((r) => r.sku));
}

export type EndpointInfo = { id: string; channelId: string; url: string; status: 'active' | 'disabled'; disabledReason: string | null; createdAt: string };

export async function endpointCount(db: Sql, channelId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoints WHERE channel_id = $1', [channelId]);
  return Number(row?.n ?? 0);
}

export async function addEndpoint(tx: Sql, channelId: string, url: string, now: Date): Promise<{ endpoint: EndpointInfo; secret: string }> {
  const id = `we_${randomBytes(8).toString('hex')}`;
  const secret = newSecret();
  const secrets: Secret[] = [{ secret, createdAt: now.toISOString(), expiresAt: null }];
  await tx.query(`INSERT INTO webhook_endpoints (id, channel_id, url, secrets, status, created_at) VALUES ($1, $2, $3, $4, 'active', $5)`, [
    id,
    channelId,
    url,
    JSON.stringify(secrets),
    now,
  ]);
  return { endpoint: { id, channelId, url, status: 'active', disabledReason: null, createdAt: now.toISOString() }, secret };
}

export async function endpointRows(db: Sql, channelId: string): Promise<EndpointInfo[]> {
  const rows = await db.query<{ id: string; channel_id: string; url: string; status: 'active' | 'disabled'; disabled_reason: string | null; created_at: Date }>(
    'SELECT id, channel_id, url, status, disabled_reason, created_at FROM webhook_endpoints WHERE channel_id = $1 ORDER BY created_at, id',
    [channelId],
  );
  return rows.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    url: r.url,
    status: r.status,
    disabledReason: r.disabled_reason,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** A new signing secret; the ones before keep signing for `graceSeconds` (receivers switch without a gap). */
export async function rotateSecret(tx: Sql, channelId: string, endpointId: string, graceSeconds: number, now: Date): Promise<string | undefined> {
  const [row] = await tx.query<{ secrets: Secret[] | string }>('SELECT secrets FROM webhook_endpoints WHERE id = $1 AND channel_id = $2 FOR UPDATE', [
    endpointId,
    channelId,
  ]);
  if (!row) return undefined;
  const old = (typeof row.secrets === 'string' ? JSON.parse(row.secrets) : row.secrets) as Secret[];
  const until = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const kept = old
    .filter((s) => s.expiresAt === null || new Date(s.expiresAt).getTime() > now.getTime())
    .map((s) => ({ ...s, expiresAt: s.expiresAt === null || s.expiresAt > until ? until : s.expiresAt }))
    .filter(() => graceSeconds > 0);
  const secret = newSecret();
  await tx.query('UPDATE webhook_endpoints SET secrets = $2 WHERE id = $1', [
    endpointId,
    JSON.stringify([{ secret, createdAt: now.toISOString(), expiresAt: null }, ...kept]),
  ]);
  return secret;
}

/** Re-enables a disabled endpoint (after the receiver is fixed). */
export async function enableEndpoint(tx: Sql, channelId: string, endpointId: string): Promise<boolean> {
  const rows = await tx.query(`UPDATE webhook_endpoints SET status = 'active', disabled_reason = NULL WHERE id = $1 AND channel_id = $2 RETURNING 1`, [
    endpointId,
    channelId,
  ]);
  return rows.length > 0;
}

export async function deliveryRows(db: Sql, channelId: string, endpointId: string, limit: number) {
  const rows = await db.query<{
    msg_id: string;
    kind: string;
    subject: string;
    attempt: number;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
    at: Date;
  }>(
    `SELECT d.msg_id, d.kind, d.subject, d.attempt, d.status_code, d.error, d.duration_ms, d.at FROM webhook_deliveries d
     JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.channel_id = $1
     WHERE d.endpoint_id = $2 ORDER BY d.id DESC LIMIT $3`,
    [channelId, endpointId, limit],
  );
  return rows.map((r) => ({
    msgId: r.msg_id,
    kind: r.kind,
    subject: r.subject,
    attempt: Number(r.attempt),
    statusCode: r.status_code,
    error: r.error,
    durationMs: Number(r.duration_ms),
    at: new Date(r.at).toISOString(),
  }));
}
