/**
 * One reconciliation run: the ledger replayed against the stock table (`replayMismatches`), each
 * channel's acknowledged ATP against what it should be now (the channels area's own ATP
 * computation), and each channel's read-back where it registered one. The pure rules in
 * src/domain/reconcile/drift.ts decide what is drift and why; this module reads and stores.
 */
import { classifyChannelDrift, stockDrifts, type ChannelFigures } from '../../domain/reconcile/drift.ts';
import { MAX_READBACK_BYTES, ReadBackSchema, type RunSummary } from '../../domain/reconcile/protocol.ts';
import { z } from '../../domain/schema.ts';
import type { Database } from '../db.ts';
import { activeChannels, atpInputs, atpOf } from '../channels/atp.ts';
import { replayMismatches } from '../replay.ts';
import type { TargetGuard } from '../channels/url-guard.ts';
import * as store from './storage.ts';

/** Reads what a channel shows per SKU from its `stockUrl`; throws with a reason a person can act on. */
export type ReadBackFetch = (url: string) => Promise<Map<string, number>>;

/** The read-back contract over HTTP (see src/domain/reconcile/protocol.ts). */
export const httpReadBack =
  (timeoutMs = 5000, guard?: TargetGuard): ReadBackFetch =>
  async (url) => {
    // Checked before each read (an address that moved into a private network since registration is refused).
    if (guard) {
      try {
        await guard.addresses(new URL(url).hostname);
      } catch (err) {
        throw new Error(`the read-back address is refused: ${(err as Error).message}`, { cause: err });
      }
    }
    const res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) {
      await res.arrayBuffer().catch(() => undefined);
      throw new Error(`the read-back answered HTTP ${res.status}`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_READBACK_BYTES) throw new Error(`the read-back is larger than ${MAX_READBACK_BYTES} bytes`);
    const text = await res.text();
    if (text.length > MAX_READBACK_BYTES) throw new Error(`the read-back is larger than ${MAX_READBACK_BYTES} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error('the read-back is not JSON');
    }
    const r = z.safeParse(ReadBackSchema, body);
    if (!r.success) throw new Error(`the read-back is not { items: [{ sku, quantity }] }: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return new Map(r.data.items.map((i) => [i.sku, i.quantity]));
  };

export type RunOptions = {
  /** The SKUs to check; 'all' is the whole catalog. */
  skus: readonly string[] | 'all';
  scope: RunSummary['scope'];
  trigger: RunSummary['trigger'];
  /** A scheduled run's slot (claimed once across processes); null for on-demand runs. */
  slot: string | null;
  by: string | null;
  now: () => Date;
  readBack: ReadBackFetch;
  graceMs: number;
};

/** Runs one reconciliation; answers its summary, or null when its slot was already claimed. */
export async function reconcile(db: Database, o: RunOptions): Promise<RunSummary | null> {
  const startedAt = o.now();
  const runId = await store.claimRun(db, { slot: o.slot, scope: o.scope, trigger: o.trigger, at: startedAt, by: o.by });
  if (runId === null) return null;
  try {
    return await check(db, o, runId, startedAt);
  } catch (err) {
    // Said in the run (never "running" for ever); the drift rows stay as the last good run wrote them.
    await store.failRun(db, runId, err instanceof Error ? err.message : String(err), o.now()).catch(() => undefined);
    throw err;
  }
}

async function check(db: Database, o: RunOptions, runId: number, startedAt: Date): Promise<RunSummary> {
  const skus = o.skus === 'all' ? await store.allSkus(db) : [...new Set(o.skus)].sort();
  const wanted = new Set(skus);

  // The ledger against the table (one snapshot for both), kept to the SKUs of this run.
  const [mismatches, siteOf] = await Promise.all([replayMismatches(db), store.sitesOfLocations(db)]);
  const ledger = stockDrifts(
    mismatches
      .map((m) => {
        const [sku = '', location = ''] = m.key.split(' ');
        return { sku, location, table: m.table, replayed: m.replayed };
      })
      .filter((m) => wanted.has(m.sku)),
    (l) => siteOf.get(l) ?? '',
  );

  // Each channel: the ATP it should show now, what it was told and took, and what it shows.
  const now = o.now();
  const [channels, inputs, { endpoints, known }, urls] = await Promise.all([
    activeChannels(db),
    atpInputs(db, skus, now),
    store.channelKnowledge(db, skus),
    store.stockUrls(db),
  ]);
  const readBackErrors: Record<string, string> = {};
  const shown = new Map<string, Map<string, number>>();
  await Promise.all(
    channels
      .filter((c) => urls.has(c.id))
      .map(async (c) => {
        try {
          shown.set(c.id, await o.readBack(urls.get(c.id) as string));
        } catch (err) {
          readBackErrors[c.id] = ((err as Error).name === 'TimeoutError' ? 'the read-back timed out' : (err as Error).message).slice(0, 300);
        }
      }),
  );
  const drifts: store.NewDrift[] = ledger.map((d) => ({
    kind: 'stock',
    sku: d.sku,
    channelId: null,
    sites: [d.site],
    location: d.location,
    cause: d.cause,
    expected: d.replayed.available + d.replayed.committed + d.replayed.qc + d.replayed.quarantine + d.replayed.suspect,
    shown: d.table.available + d.table.committed + d.table.qc + d.table.quarantine + d.table.suspect,
    detail: d.detail,
  }));
  for (const c of channels) {
    const reported = shown.get(c.id);
    if (!endpoints.has(c.id) && !reported) continue;
    for (const sku of skus) {
      const k = known.get(`${c.id} ${sku}`) ?? { published: null, acked: null, pending: null, hasEndpoint: false };
      const figures: ChannelFigures = { ...k, channelId: c.id, sku, expected: atpOf(inputs, channels, c, sku, now).atp, reported: reported?.get(sku) };
      const d = classifyChannelDrift(figures, o.graceMs);
      if (d)
        drifts.push({
          kind: 'channel',
          sku,
          channelId: c.id,
          sites: c.sites,
          location: null,
          cause: d.cause,
          expected: d.expected,
          shown: d.shown,
          detail: d.detail,
        });
    }
  }
  await store.finishRun(db, runId, o.skus === 'all' ? 'all' : skus, drifts, readBackErrors, o.now());
  return {
    id: runId,
    scope: o.scope,
    trigger: o.trigger,
    startedAt: startedAt.toISOString(),
    finishedAt: o.now().toISOString(),
    skus: skus.length,
    drifts: drifts.length,
    readBackErrors,
    error: null,
  };
}
