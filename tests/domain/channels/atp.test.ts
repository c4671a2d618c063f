import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  allocateLine,
  channelAtp,
  policyFor,
  siteAtp,
  type ChannelPolicy,
  type Reservation,
  type SiteStock,
} from '../../../src/domain/channels/atp.ts';

const NOW = new Date('2026-11-23T09:00:00Z');
const LATER = new Date('2026-11-23T09:10:00Z');
const EARLIER = new Date('2026-11-23T08:50:00Z');
const p = (x: Partial<ChannelPolicy> = {}): ChannelPolicy => ({ ...DEFAULT_POLICY, ...x });
const res = (channelId: string, qty: number, expiresAt: Date | null = LATER): Reservation => ({ channelId, qty, expiresAt });
const site = (
  available: number,
  channels: Record<string, Partial<ChannelPolicy>>,
  reservations: Reservation[] = [],
  extra: Partial<SiteStock['buckets']> = {},
): SiteStock => ({
  site: 'main',
  buckets: { available, ...extra },
  reservations,
  channels: Object.entries(channels).map(([channelId, x]) => ({ channelId, policy: p(x) })),
});

describe('ATP of one channel at one site', () => {
  const cases: { name: string; stock: SiteStock; channel: string; atp: number; limits?: string[] }[] = [
    { name: 'no policy: every available unit', stock: site(10, { web: {} }), channel: 'web', atp: 10 },
    {
      name: 'committed, qc, quarantine and suspect never count',
      stock: site(4, { web: {} }, [], { committed: 50, qc: 20, quarantine: 7, suspect: 3 }),
      channel: 'web',
      atp: 4,
    },
    { name: 'nothing available: 0 (an unsettled claim is in no bucket)', stock: site(0, { web: {} }, [], { suspect: 5 }), channel: 'web', atp: 0 },
    { name: 'negative figures are read as 0', stock: site(-3, { web: {} }), channel: 'web', atp: 0 },
    { name: 'safety buffer 3 with 3 on the shelf: 0', stock: site(3, { web: { safetyBuffer: 3 } }), channel: 'web', atp: 0, limits: ['safety_buffer'] },
    { name: 'safety buffer 3 with 4 on the shelf: 1', stock: site(4, { web: { safetyBuffer: 3 } }), channel: 'web', atp: 1, limits: ['safety_buffer'] },
    { name: 'share 50% of 10: 5', stock: site(10, { mkt: { sharePct: 50 } }), channel: 'mkt', atp: 5, limits: ['share'] },
    { name: 'share 50% of 3 rounds down to 1', stock: site(3, { mkt: { sharePct: 50 } }), channel: 'mkt', atp: 1, limits: ['share'] },
    { name: 'share 50% of 1 rounds down to 0 (said so)', stock: site(1, { mkt: { sharePct: 50 } }), channel: 'mkt', atp: 0, limits: ['share'] },
    { name: 'share 33% of 2 rounds down to 0', stock: site(2, { mkt: { sharePct: 33 } }), channel: 'mkt', atp: 0, limits: ['share'] },
    { name: 'share 34% of 3 rounds down to 1', stock: site(3, { mkt: { sharePct: 34 } }), channel: 'mkt', atp: 1, limits: ['share'] },
    { name: 'share 100% of 1: the last unit', stock: site(1, { web: { sharePct: 100 } }), channel: 'web', atp: 1 },
    {
      name: 'share counts what the channel already holds',
      stock: site(10, { mkt: { sharePct: 50 } }, [res('mkt', 4)]),
      channel: 'mkt',
      atp: 1,
      limits: ['share'],
    },
    { name: 'max listed caps', stock: site(100, { web: { maxListed: 12 } }), channel: 'web', atp: 12, limits: ['max_listed'] },
    { name: 'max listed 0 hides everything', stock: site(5, { web: { maxListed: 0 } }), channel: 'web', atp: 0, limits: ['max_listed'] },
    { name: 'another channel ring-fences 30 of 100', stock: site(100, { web: {}, whole: { ringFence: 30 } }), channel: 'web', atp: 70 },
    { name: 'the fence owner sees its fence and the shared pool', stock: site(100, { web: {}, whole: { ringFence: 30 } }), channel: 'whole', atp: 100 },
    {
      name: 'fence owner with share 0 sells only its fence',
      stock: site(100, { web: {}, whole: { ringFence: 30, sharePct: 0 } }),
      channel: 'whole',
      atp: 30,
      limits: ['share'],
    },
    { name: 'a fence larger than the shelf takes only what is there', stock: site(20, { web: {}, whole: { ringFence: 30 } }), channel: 'web', atp: 0 },
    { name: 'fence larger than the shelf is said', stock: site(20, { web: {}, whole: { ringFence: 30 } }), channel: 'whole', atp: 20, limits: ['fence_short'] },
    {
      name: 'own reservations use the fence first',
      stock: site(100, { web: {}, whole: { ringFence: 30, sharePct: 0 } }, [res('whole', 10)]),
      channel: 'whole',
      atp: 20,
      limits: ['share'],
    },
    {
      name: 'others cannot reach fenced units when the pool is gone',
      stock: site(100, { web: {}, whole: { ringFence: 30 } }, [res('web', 70)]),
      channel: 'web',
      atp: 0,
    },
    { name: 'open reservations of others reduce ATP', stock: site(10, { web: {}, mkt: {} }, [res('mkt', 4)]), channel: 'web', atp: 6 },
    { name: 'confirmed reservations never expire', stock: site(10, { web: {}, mkt: {} }, [res('mkt', 4, null)]), channel: 'web', atp: 6 },
    { name: 'an expired reservation never counts', stock: site(10, { web: {}, mkt: {} }, [res('mkt', 4, EARLIER)]), channel: 'web', atp: 10 },
    { name: 'a reservation expiring exactly now has expired', stock: site(10, { web: {} }, [res('web', 4, NOW)]), channel: 'web', atp: 10 },
    {
      name: 'buffer applies to what is left after reservations',
      stock: site(10, { web: { safetyBuffer: 5 } }, [res('mkt', 4)]),
      channel: 'web',
      atp: 1,
      limits: ['safety_buffer'],
    },
    {
      name: 'over-reserved (a short took units under reservations): 0, said',
      stock: site(3, { web: {}, mkt: {} }, [res('mkt', 5)]),
      channel: 'web',
      atp: 0,
      limits: ['over_reserved'],
    },
    {
      name: 'over-reserved fence owner never sees more than is free',
      stock: site(10, { web: {}, whole: { ringFence: 5 } }, [res('web', 8)]),
      channel: 'whole',
      atp: 2,
    },
    { name: 'a channel not selling here: 0', stock: site(10, { web: {} }), channel: 'mkt', atp: 0, limits: ['not_sold_here'] },
    { name: 'reservations of a channel no longer here still hold units', stock: site(10, { web: {} }, [res('gone', 7)]), channel: 'web', atp: 3 },
  ];
  it.each(cases)('$name', ({ stock, channel, atp, limits }) => {
    const r = siteAtp(stock, channel, NOW);
    expect(r.atp).toBe(atp);
    if (limits) expect(r.limits).toEqual(limits);
    // Whatever the policy, never more than is free.
    expect(r.atp).toBeLessThanOrEqual(r.free);
  });

  it("never oversells: reserving each channel's ATP in turn never takes more than is available", () => {
    for (let available = 0; available <= 12; available++) {
      for (const pct of [0, 1, 33, 50, 67, 99, 100]) {
        for (const fence of [0, 1, 3, 20]) {
          const channels = { a: { sharePct: pct, safetyBuffer: 1 }, b: { ringFence: fence }, c: { sharePct: 100 - pct } };
          const reservations: Reservation[] = [];
          // Round-robin one unit at a time while anyone may take.
          for (let guard = 0; guard < 100; guard++) {
            let took = false;
            for (const ch of ['a', 'b', 'c']) {
              if (siteAtp(site(available, channels, reservations), ch, NOW).atp > 0) {
                reservations.push(res(ch, 1));
                took = true;
              }
            }
            if (!took) break;
          }
          const total = reservations.length;
          expect(total).toBeLessThanOrEqual(available);
          const byA = reservations.filter((r) => r.channelId === 'a').length;
          const shared = available - Math.min(fence, available);
          expect(byA).toBeLessThanOrEqual(Math.floor((pct * shared) / 100));
        }
      }
    }
  });
});

describe('ATP of a channel over its sites', () => {
  const two = (a: number, b: number): SiteStock[] => [
    { ...site(a, { web: {} }), site: 'north' },
    { ...site(b, { web: {} }), site: 'south' },
  ];
  it('sums the sites', () => expect(channelAtp('web', two(3, 4), NOW).atp).toBe(7));
  it('says which rule zeroed a channel while units are free', () => {
    const r = channelAtp('mkt', [site(1, { mkt: { sharePct: 50 } })], NOW);
    expect(r).toMatchObject({ atp: 0, zeroedBy: ['share'] });
    expect(r.bySite[0]?.roundedDown).toBe(true);
  });
  it('zero because nothing is free is not a policy zero', () => expect(channelAtp('web', two(0, 0), NOW).zeroedBy).toBeNull());
});

describe('policy rules', () => {
  const rules = [
    { sku: null, site: null, safetyBuffer: 2, sharePct: 80 },
    { sku: null, site: 'north', safetyBuffer: 4 },
    { sku: 'SKU-1', site: null, maxListed: 10 },
    { sku: 'SKU-1', site: 'north', ringFence: 6 },
  ];
  it.each([
    { sku: 'SKU-9', site: 'south', want: { safetyBuffer: 2, sharePct: 80, maxListed: null, ringFence: 0 } },
    { sku: 'SKU-9', site: 'north', want: { safetyBuffer: 4, sharePct: 80, maxListed: null, ringFence: 0 } },
    { sku: 'SKU-1', site: 'south', want: { safetyBuffer: 2, sharePct: 80, maxListed: 10, ringFence: 0 } },
    { sku: 'SKU-1', site: 'north', want: { safetyBuffer: 4, sharePct: 80, maxListed: 10, ringFence: 6 } },
  ])('$sku at $site: the most specific rule wins field by field', ({ sku, site: s, want }) => expect(policyFor(rules, sku, s)).toEqual(want));
});

describe('allocating a line over sites', () => {
  const at = (atps: number[]) => atps.map((atp, i) => ({ site: `s${i}`, atp, free: atp, reserved: 0, limits: [], roundedDown: false }));
  it.each([
    { qty: 5, atps: [10], takes: [{ site: 's0', qty: 5 }], complete: true },
    {
      qty: 5,
      atps: [3, 10],
      takes: [
        { site: 's0', qty: 3 },
        { site: 's1', qty: 2 },
      ],
      complete: true,
    },
    { qty: 5, atps: [0, 2], takes: [{ site: 's1', qty: 2 }], complete: false },
    { qty: 1, atps: [0], takes: [], complete: false },
  ])('$qty from $atps', ({ qty, atps, takes, complete }) => expect(allocateLine(qty, at(atps))).toMatchObject({ takes, complete }));
});
