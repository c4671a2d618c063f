import { describe, expect, it } from 'vitest';
import { ScanPipeline, type PipelineScan } from '../../src/scan/pipeline.ts';
import type { Decoded } from '../../src/scan/camera/types.ts';
import type { WedgeScan } from '../../src/scan/wedge.ts';
import { ScriptedClock } from '../fixtures/barcode-clock.ts';

const wedge = (raw: string): WedgeScan => ({ raw, ended: 'Enter', startedAt: 0, durationMs: 20, maxGapMs: 2, prefixSeen: false });
const ean: Decoded = { format: 'ean-13', text: '9506000134352', symbologyIdentifier: ']E0' };
const other: Decoded = { format: 'ean-13', text: '4006381333931' };
const dm: Decoded = { format: 'gs1-datamatrix', text: '0109506000134352\u001d10LOT', symbologyIdentifier: ']d2' };

function rig(opts: { gsSubstitute?: string; gs1WithoutIdentifier?: boolean } = {}) {
  const clock = new ScriptedClock();
  const p = new ScanPipeline({ clock, year: () => 2026, ...opts });
  const seen: PipelineScan[] = [];
  p.subscribe((s) => seen.push(s));
  return { clock, p, seen };
}

describe('scan pipeline', () => {
  it('parses wedge scans and reports a quick repeat as a duplicate, not a second unit', () => {
    const { clock, p, seen } = rig();
    p.pushWedge(wedge('9506000134352'));
    clock.advance(400);
    p.pushWedge(wedge('9506000134352'));
    clock.advance(2000);
    p.pushWedge(wedge('9506000134352'));
    expect(seen.map((s) => [s.result.kind, s.duplicate])).toEqual([['product', false], ['product', true], ['product', false]]);
    expect(seen[0]?.result).toMatchObject({ gtin: '09506000134352' });
  });

  it('counts every repeat when the workflow asks for repeats', () => {
    const { clock, p, seen } = rig();
    p.setAllowRepeats(true);
    p.pushWedge(wedge('9506000134352'));
    clock.advance(300);
    p.pushWedge(wedge('9506000134352'));
    expect(seen.map((s) => s.duplicate)).toEqual([false, false]);
  });

  it('applies the configured GS substitute to wedge scans only', () => {
    const { p } = rig({ gsSubstitute: '^' });
    expect(p.pushWedge(wedge('^0109506000134352^10AB')).result).toMatchObject({ kind: 'product', lot: 'AB' });
    expect(p.pushTyped('0109506000134352^10AB').result.kind).toBe('unknown');
  });

  it('reads unmarked GS1 from the wedge only when the scanner is set up so', () => {
    const off = rig({ gsSubstitute: '^' });
    expect(off.p.pushWedge(wedge('0109506000134352^10AB')).result.kind).toBe('unknown');
    const on = rig({ gsSubstitute: '^', gs1WithoutIdentifier: true });
    expect(on.p.pushWedge(wedge('0109506000134352^10AB')).result).toMatchObject({ kind: 'product', lot: 'AB' });
  });

  it('needs two identical 1D camera decodes in a row, then stays quiet while the code is in view', () => {
    const { clock, p, seen } = rig();
    expect(p.pushCameraFrame([ean], 'zxing-wasm')).toEqual([]);
    clock.advance(33);
    expect(p.pushCameraFrame([ean], 'zxing-wasm')).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      clock.advance(33);
      p.pushCameraFrame([ean], 'zxing-wasm');
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ source: 'camera', engine: 'zxing-wasm', duplicate: false, result: { kind: 'product' } });
  });

  it('does not confirm alternating or stale decodes', () => {
    const { clock, p, seen } = rig();
    p.pushCameraFrame([ean], 'zxing-wasm');
    clock.advance(33);
    p.pushCameraFrame([other], 'zxing-wasm');
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm');
    clock.advance(5000);
    p.pushCameraFrame([ean], 'zxing-wasm');
    expect(seen).toEqual([]);
    clock.advance(33);
    p.pushCameraFrame([], 'zxing-wasm'); // a blurred frame between two reads does not break the pair
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm');
    expect(seen).toHaveLength(1);
  });

  it('takes a 2D code on its first decode and reports it again as a duplicate after leaving view briefly', () => {
    const { clock, p, seen } = rig();
    p.pushCameraFrame([dm], 'native');
    clock.advance(900);
    p.pushCameraFrame([dm], 'native');
    expect(seen.map((s) => [s.result.kind, s.duplicate])).toEqual([['product', false], ['product', true]]);
    p.resetCamera();
    clock.advance(3000);
    p.pushCameraFrame([dm], 'native');
    expect(seen.at(-1)?.duplicate).toBe(false);
  });

  it('validates typed entry the same way and never calls it a duplicate', () => {
    const { p, seen } = rig();
    p.pushTyped('(01)09506000134352(10)ABC');
    p.pushTyped('(01)09506000134352(10)ABC');
    p.pushTyped('9506000134353');
    expect(seen.map((s) => [s.source, s.result.kind, s.duplicate])).toEqual([
      ['typed', 'product', false],
      ['typed', 'product', false],
      ['typed', 'unknown', false],
    ]);
    expect(seen[2]?.result.problems[0]?.code).toBe('bad_check_digit');
  });

  it('stops delivering after unsubscribe', () => {
    const clock = new ScriptedClock();
    const p = new ScanPipeline({ clock, year: () => 2026 });
    const seen: PipelineScan[] = [];
    const off = p.subscribe((s) => seen.push(s));
    p.pushTyped('A-01-01');
    off();
    p.pushTyped('A-01-02');
    expect(seen.map((s) => s.result.kind)).toEqual(['bin']);
  });
});
