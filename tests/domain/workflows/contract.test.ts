import { describe, expect, it } from 'vitest';
import { payloadSchemas, type DraftEvent } from '../../../src/domain/events.ts';
import { asLocation } from '../../../src/domain/ids.ts';
import { pickStep, startPick, type PickInput, type PickState } from '../../../src/domain/workflows/pick.ts';
import { countStep, startCount } from '../../../src/domain/workflows/count.ts';
import { receivingStep, startReceiving } from '../../../src/domain/workflows/receiving.ts';
import { qcReleaseStep, startQcRelease } from '../../../src/domain/workflows/qc-release.ts';
import { returnStep, startReturn } from '../../../src/domain/workflows/returns.ts';
import { decisionStep, startDecisions } from '../../../src/domain/workflows/supervisor.ts';
import { catalog, goods, bin, tote, pickList, receipt, locations, run, MUG, TEA_CASE } from './fixtures.ts';

/** Every draft a workflow emits must pass the one schema the API validates with. */
function expectValid(events: DraftEvent[]) {
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    const parsed = payloadSchemas[e.type].safeParse(e.payload);
    expect(parsed.success, `${e.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
}

describe('workflow events match the shared schemas', () => {
  it('pick, short and undo', () => {
    const step = (s: PickState, i: PickInput) => pickStep(s, i, { catalog });
    const r = run(step, startPick(pickList()), [
      { type: 'scan', scan: tote('T-1') },
      { type: 'scan', scan: bin('A-01-01') },
      { type: 'scan', scan: goods(MUG) },
      { type: 'short', found: '1' },
    ]);
    const held = r.events[0] as DraftEvent;
    const undo = step(step(r.state, { type: 'logged', events: [{ id: '0190a0b0-0000-7000-8000-000000000001', ...held }] }).state, { type: 'undo' });
    expectValid([...r.events, ...undo.events]);
  });

  it('count, receiving, QC release, returns, decisions', () => {
    const task = { id: 'CT-1', location: 'A-01-01', reason: 'r', status: 'open' };
    expectValid(
      run((s, i: Parameters<typeof countStep>[1]) => countStep(s, i, { catalog }), startCount(task), [
        { type: 'scan', scan: bin('A-01-01') },
        { type: 'key', sku: 'SKU-MUG', text: '0' },
        { type: 'finish' },
      ]).events,
    );
    expectValid(
      run((s, i: Parameters<typeof receivingStep>[1]) => receivingStep(s, i, { catalog }), startReceiving(receipt(), '340123450000000017'), [
        { type: 'scan', scan: goods(TEA_CASE, { lot: 'A1', expiry: '2027-01-31' }) },
        { type: 'confirm' },
      ]).events,
    );
    expectValid(
      run((s, i: Parameters<typeof qcReleaseStep>[1]) => qcReleaseStep(s, i, { catalog, locations }), startQcRelease(asLocation('DOCK-1')), [
        { type: 'scan', scan: goods(MUG) },
        { type: 'scan', scan: bin('A-01-01') },
      ]).events,
    );
    expectValid(
      run((s, i: Parameters<typeof returnStep>[1]) => returnStep(s, i, { catalog }), startReturn(asLocation('RET-1')), [
        { type: 'scan', scan: goods(MUG) },
        { type: 'condition', value: 'opened' },
        { type: 'submit', returnId: 'RET-1a' },
      ]).events,
    );
    const ret = [{ returnId: 'RMA-1', sku: 'SKU-MUG', location: 'RET-1', qty: 1, condition: 'opened', receivedAt: '2026-11-23T08:00:00Z', resolved: false }];
    expectValid(
      run((s, i: Parameters<typeof decisionStep>[1]) => decisionStep(s, i, { roles: ['supervisor'], returns: ret, locations }), startDecisions(), [
        { type: 'select', returnId: 'RMA-1' },
        { type: 'scan', scan: bin('A-01-02') },
        { type: 'resale' },
        { type: 'approve', countTaskId: 'CT-1', approve: true },
      ]).events,
    );
  });
});
