/** Drift classification per cause, as a table, under a fixed clock. */
import { describe, expect, it } from 'vitest';
import { classifyChannelDrift, stockDrifts, type ChannelFigures } from '../../../src/domain/reconcile/drift.ts';

const NOW = new Date('2026-11-23T09:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const base: ChannelFigures = {
  channelId: 'web',
  sku: 'SKU-1',
  expected: 7,
  published: { atp: 7, version: 3 },
  acked: { atp: 7, version: 3, at: ago(3_600_000) },
  pending: null,
  hasEndpoint: true,
};

type Case = [name: string, change: Partial<ChannelFigures>, cause: 'not_delivered' | 'channel_edited' | null, shown?: number | null];
const CASES: Case[] = [
  ['acknowledged the expected figure, no read-back', {}, null],
  ['acknowledged and the read-back agrees', { reported: 7 }, null],
  ['never acknowledged anything', { acked: null }, 'not_delivered', null],
  [
    'acknowledged an older figure, nothing waiting: the API never published the change',
    { acked: { atp: 9, version: 2, at: ago(7_200_000) }, published: { atp: 9, version: 2 } },
    'not_delivered',
    9,
  ],
  ['published but never acknowledged (outbox row gone)', { acked: { atp: 9, version: 2, at: ago(7_200_000) } }, 'not_delivered', 9],
  [
    'waiting in the outbox with failed attempts',
    { acked: { atp: 9, version: 2, at: ago(7_200_000) }, pending: { ageMs: 120_000, attempts: 4, lastError: 'HTTP 500' } },
    'not_delivered',
    9,
  ],
  [
    'a change in flight inside the grace is no drift yet',
    { acked: { atp: 9, version: 2, at: ago(7_200_000) }, pending: { ageMs: 5_000, attempts: 0, lastError: null } },
    null,
  ],
  [
    'a change older than the grace still waiting is drift',
    { acked: { atp: 9, version: 2, at: ago(7_200_000) }, pending: { ageMs: 61_000, attempts: 0, lastError: null } },
    'not_delivered',
    9,
  ],
  [
    'a failing delivery inside the grace is drift (it failed)',
    { acked: null, pending: { ageMs: 5_000, attempts: 1, lastError: 'timed out' } },
    'not_delivered',
    null,
  ],
  ['not acknowledged, but the read-back shows the right figure (the channel read the ATP API)', { acked: null, reported: 7 }, null],
  ['not acknowledged and the read-back shows another figure', { acked: { atp: 9, version: 2, at: ago(1) }, reported: 9 }, 'not_delivered', 9],
  ['acknowledged the expected figure, the read-back shows another: edited on the channel', { reported: 12 }, 'channel_edited', 12],
  ['edited down to zero', { reported: 0 }, 'channel_edited', 0],
  ['no endpoint, read-back differs: nothing could deliver it', { hasEndpoint: false, acked: null, reported: 3 }, 'not_delivered', 3],
  ['no endpoint, read-back agrees', { hasEndpoint: false, acked: null, reported: 7 }, null],
  ['no endpoint, no read-back: nothing to compare', { hasEndpoint: false, acked: null }, null],
];

describe('classifyChannelDrift', () => {
  it.each(CASES)('%s', (_name, change, cause, shown) => {
    const d = classifyChannelDrift({ ...base, ...change }, 60_000);
    if (cause === null) return expect(d).toBeNull();
    expect(d).toMatchObject({ cause, channelId: 'web', sku: 'SKU-1', expected: 7, shown });
    expect(d?.detail.length).toBeGreaterThan(10);
  });

  it('says why in a line: the outbox waits, with its failures and last error', () => {
    const d = classifyChannelDrift({ ...base, acked: null, pending: { ageMs: 120_000, attempts: 2, lastError: 'HTTP 503' } });
    expect(d?.detail).toBe('never acknowledged a figure; 7 is waiting in the outbox, 2 failed attempts (HTTP 503)');
  });
});

describe('stockDrifts (ledger mismatch)', () => {
  const zero = { available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 };
  it.each([
    ['available differs', { ...zero, available: 5 }, { ...zero, available: 3 }, 'available 5 in the table, 3 by the ledger'],
    [
      'two buckets differ',
      { ...zero, qc: 2, suspect: 1 },
      { ...zero, qc: 0, suspect: 0 },
      'qc 2 in the table, 0 by the ledger; suspect 1 in the table, 0 by the ledger',
    ],
    ['a row the ledger never made', { ...zero, committed: 4 }, zero, 'committed 4 in the table, 0 by the ledger'],
  ])('%s', (_n, table, replayed, detail) => {
    const [d] = stockDrifts([{ sku: 'SKU-1', location: 'A-01-01', table, replayed }], () => 'main');
    expect(d).toEqual({ sku: 'SKU-1', location: 'A-01-01', site: 'main', cause: 'ledger_mismatch', table, replayed, detail });
  });
});
