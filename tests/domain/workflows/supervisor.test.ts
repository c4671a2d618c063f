import { describe, expect, it } from 'vitest';
import {
  ageLabel,
  decisionStep,
  staleDevices,
  startDecisions,
  type DecisionContext,
  type DecisionInput,
  type DecisionState,
} from '../../../src/domain/workflows/supervisor.ts';
import { forConnectivity, say } from '../../../src/domain/workflows/common.ts';
import { bin, goods, locations, run, MUG, itRefuses, type Refusal, said } from './fixtures.ts';

const returns = [
  { returnId: 'RMA-1', sku: 'SKU-MUG', location: 'RET-1', qty: 2, condition: 'opened', receivedAt: '2026-11-23T08:00:00Z', resolved: false },
  { returnId: 'RMA-2', sku: 'SKU-TEA', location: 'RET-1', qty: 1, condition: 'damaged', receivedAt: '2026-11-20T08:00:00Z', resolved: true },
];
const ctx: DecisionContext = { roles: ['supervisor'], returns, locations };
const step = (s: DecisionState, i: DecisionInput) => decisionStep(s, i, ctx);

describe('supervisor decisions', () => {
  it('ready for resale into a scanned bin: return.resolved resale', () => {
    const r = run(step, startDecisions(), [{ type: 'select', returnId: 'RMA-1' }, { type: 'scan', scan: bin('A-01-01') }, { type: 'resale' }]);
    expect(r.events).toEqual([
      { type: 'return.resolved', payload: { returnId: 'RMA-1', decision: 'resale', sku: 'SKU-MUG', from: 'RET-1', to: 'A-01-01', qty: 2 } },
    ]);
    expect(r.state.decided).toEqual(['RMA-1']);
  });

  it('write off with a reason: return.resolved write_off', () => {
    const r = run(step, startDecisions(), [{ type: 'select', returnId: 'RMA-1' }, { type: 'reason', text: ' glass broken ' }, { type: 'writeOff' }]);
    expect(r.events).toEqual([
      { type: 'return.resolved', payload: { returnId: 'RMA-1', decision: 'write_off', sku: 'SKU-MUG', from: 'RET-1', qty: 2, reason: 'glass broken' } },
    ]);
  });

  it('approves or sends back a held count variance: count.approved', () => {
    const r = run(step, startDecisions(), [
      { type: 'approve', countTaskId: 'CT-1', approve: true },
      { type: 'approve', countTaskId: 'CT-2', approve: false },
    ]);
    expect(r.events).toEqual([
      { type: 'count.approved', payload: { countTaskId: 'CT-1', approve: true } },
      { type: 'count.approved', payload: { countTaskId: 'CT-2', approve: false } },
    ]);
  });

  describe('refusals', () => {
    const selected = () => step(startDecisions(), { type: 'select', returnId: 'RMA-1' }).state;
    const decided = () => run(step, startDecisions(), [{ type: 'select', returnId: 'RMA-1' }, { type: 'reason', text: 'x' }, { type: 'writeOff' }]).state;
    const approved = () => step(startDecisions(), { type: 'approve', countTaskId: 'CT-1', approve: true }).state;
    const cases: Refusal<DecisionState, DecisionInput>[] = [
      ['a return not in quarantine', startDecisions, { type: 'select', returnId: 'RMA-9' }, 'Return RMA-9 is not in quarantine', 'wrong'],
      ['a return already resolved', startDecisions, { type: 'select', returnId: 'RMA-2' }, 'Return RMA-2 is already decided', 'duplicate'],
      ['a return decided on this device', decided, { type: 'select', returnId: 'RMA-1' }, 'Return RMA-1 is already decided', 'duplicate'],
      ['resale with no return picked', startDecisions, { type: 'resale' }, 'Pick a return first', 'wrong'],
      ['a bin with no return picked', startDecisions, { type: 'scan', scan: bin('A-01-01') }, 'Pick a return first', 'wrong'],
      ['resale without a bin', selected, { type: 'resale' }, 'First scan the bin the item goes back into, then tap "Ready for resale"', 'wrong'],
      ['resale into the returns area', selected, { type: 'scan', scan: bin('RET-1') }, 'RET-1 is not a bin: resale goes into a bin', 'wrong'],
      ['resale into an unknown place', selected, { type: 'scan', scan: bin('Q-1') }, 'Unknown location Q-1', 'wrong'],
      ['goods instead of a bin', selected, { type: 'scan', scan: goods(MUG) }, 'Scan the bin for the resale, not item 4006381333931', 'wrong'],
      ['write off without a reason', selected, { type: 'writeOff' }, 'A write-off needs a reason', 'wrong'],
      ['a reason that is too long', selected, { type: 'reason', text: 'x'.repeat(501) }, 'Reason is longer than 500 characters', 'wrong'],
      ['a count decided twice', approved, { type: 'approve', countTaskId: 'CT-1', approve: false }, 'Count CT-1 is already decided', 'duplicate'],
    ];
    itRefuses(step, cases);

    it('any role but supervisor', () => {
      const r = decisionStep(startDecisions(), { type: 'approve', countTaskId: 'CT-1', approve: true }, { ...ctx, roles: ['receiver', 'returns'] });
      expect(said(r.feedback)).toEqual([{ tone: 'supervisor', message: 'Only a supervisor may decide: ask one to sign in' }]);
      expect(r.events).toEqual([]);
    });
  });

  it('ages and stale devices are computed against a given now', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(ageLabel('2026-11-23T09:15:00Z', now)).toBe('45 min');
    expect(ageLabel('2026-11-23T07:00:00Z', now)).toBe('3 h');
    expect(ageLabel('2026-11-20T08:00:00Z', now)).toBe('3 d');
    const devices = [
      { deviceId: 'a', lastContactAt: '2026-11-23T09:59:00Z' },
      { deviceId: 'b', lastContactAt: '2026-11-23T09:00:00Z' },
      { deviceId: 'c', lastContactAt: null },
    ];
    expect(staleDevices(devices, now).map((d) => d.deviceId)).toEqual(['c', 'b']);
  });
});

describe('feedback', () => {
  it('an accepted fact recorded offline sounds as offline; refusals keep their tone', () => {
    const fb = [say('accepted', 'pick.held', { qty: 1, name: 'Mug', tote: 'T-1' }), say('wrong', 'pick.wrongBin', { scanned: 'B-1', bin: 'A-1' })];
    expect(forConnectivity(fb, true)).toEqual(fb);
    // The words stay the same (issue 13: no "(saved offline)" repeated in the text); the tone says it once.
    expect(said(forConnectivity(fb, false))).toEqual([
      { tone: 'offline', message: '1 × Mug into tote T-1' },
      { tone: 'wrong', message: 'Wrong bin: this is B-1, go to A-1' },
    ]);
  });
});
