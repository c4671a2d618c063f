import { describe, expect, it } from 'vitest';
import { ScanPipeline, type PipelineScan } from '../../src/scan/pipeline.ts';
import type { Decoded } from '../../src/scan/camera/types.ts';
import type { WedgeScan } from '../../src/scan/wedge.ts';
import { ScriptedClock } from '../fixtures/clock.ts';

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
    expect(seen.map((s) => [s.result.kind, s.duplicate])).toEqual([
      ['product', false],
      ['product', true],
      ['product', false],
    ]);
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

  it('needs the same 1D content from two frames that differ, then stays quiet while the code is in view', () => {
    const { clock, p, seen } = rig();
    expect(p.pushCameraFrame([ean], 'zxing-wasm', 1)).toEqual([]);
    clock.advance(33);
    expect(p.pushCameraFrame([ean], 'zxing-wasm', 2)).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      clock.advance(33);
      p.pushCameraFrame([ean], 'zxing-wasm', 3 + i);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ source: 'camera', engine: 'zxing-wasm', duplicate: false, result: { kind: 'product' } });
  });

  it('never takes the same image twice as two pieces of evidence', () => {
    const { clock, p, seen } = rig();
    for (let i = 0; i < 5; i++) {
      p.pushCameraFrame([ean], 'zxing-wasm', 77);
      clock.advance(33);
    }
    expect(seen).toEqual([]);
    p.pushCameraFrame([ean], 'zxing-wasm', 78);
    expect(seen).toHaveLength(1);
  });

  it('refuses when reads of one place disagree, asks to rescan once, and takes neither meanwhile (changed: alternating reads used to be silently dropped)', () => {
    const { clock, p, seen } = rig();
    p.pushCameraFrame([ean], 'zxing-wasm', 1);
    clock.advance(33);
    const refusal = p.pushCameraFrame([other], 'zxing-wasm', 2);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]?.result).toMatchObject({ kind: 'unknown', problems: [{ code: 'conflicting_reads' }] });
    expect(refusal[0]?.result.problems[0]?.message).toMatch(/scan again/);
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm', 3);
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm', 4);
    clock.advance(33);
    p.pushCameraFrame([other], 'zxing-wasm', 5);
    // Only the one refusal: no product was taken, no repeated nagging.
    expect(seen.map((s) => s.result.kind)).toEqual(['unknown']);
    clock.advance(5000);
    p.pushCameraFrame([ean], 'zxing-wasm', 6);
    clock.advance(33);
    p.pushCameraFrame([], 'zxing-wasm', 7); // a blurred frame between two reads does not break the pair
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm', 8);
    expect(seen.map((s) => s.result.kind)).toEqual(['unknown', 'product']);
  });

  it('voids two different contents read at one place in one frame (two scan lines disagreeing)', () => {
    const { clock, p, seen } = rig();
    const at = { x: 640, y: 360, size: 500 };
    for (let i = 0; i < 4; i++) {
      p.pushCameraFrame(
        [
          { ...ean, at },
          { ...other, at: { ...at, x: 650 } },
        ],
        'zxing-wasm',
        i,
      );
      clock.advance(33);
    }
    expect(seen.map((s) => s.result.problems[0]?.code)).toEqual(['conflicting_reads']);
  });

  it('takes two codes at different places in the same frames, each once', () => {
    const { clock, p, seen } = rig();
    const frame = [
      { ...ean, at: { x: 300, y: 360, size: 300 } },
      { ...other, at: { x: 1000, y: 360, size: 300 } },
    ];
    for (let i = 0; i < 4; i++) {
      p.pushCameraFrame(frame, 'zxing-wasm', i);
      clock.advance(33);
    }
    expect(seen.map((s) => s.result.kind === 'product' && s.result.gtin).sort()).toEqual(['04006381333931', '09506000134352']);
  });

  it('wants a third frame for a new content where a confirmed code was just seen (a misread of it)', () => {
    const { clock, p, seen } = rig();
    p.pushCameraFrame([ean], 'zxing-wasm', 1);
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm', 2);
    clock.advance(33);
    p.pushCameraFrame([other], 'zxing-wasm', 3);
    clock.advance(33);
    p.pushCameraFrame([other], 'zxing-wasm', 4);
    expect(seen).toHaveLength(1);
    clock.advance(33);
    p.pushCameraFrame([other], 'zxing-wasm', 5);
    expect(seen.map((s) => s.result.kind === 'product' && s.result.gtin)).toEqual(['09506000134352', '04006381333931']);
  });

  it('keeps an EAN add-on with its product code: one item, never a second one for the add-on', () => {
    const { clock, p, seen } = rig();
    const bare: Decoded = { format: 'ean-13', text: '9781234567897', symbologyIdentifier: ']E0' };
    const withAddOn: Decoded = { format: 'ean-13', text: '978123456789712345', symbologyIdentifier: ']E3' };
    p.pushCameraFrame([bare, withAddOn], 'zxing-wasm', 1);
    clock.advance(33);
    p.pushCameraFrame([bare], 'zxing-wasm', 2);
    for (let i = 0; i < 5; i++) {
      clock.advance(33);
      p.pushCameraFrame(i % 2 ? [bare] : [withAddOn], 'zxing-wasm', 3 + i);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.result).toMatchObject({ kind: 'product', gtin: '09781234567897', addOn: '12345' });
    // The same book by wedge, with and without its add-on, soon after: a duplicate, not a second unit.
    p.pushWedge(wedge(']E09781234567897'));
    expect(seen.at(-1)?.duplicate).toBe(true);
  });

  it('takes an add-on only once two frames agree on it; two different add-ons are a conflict', () => {
    const { clock, p, seen } = rig();
    const upc: Decoded = { format: 'upc-a', text: '0036000291452', symbologyIdentifier: ']E0' };
    const with12: Decoded = { format: 'upc-a', text: '003600029145212', symbologyIdentifier: ']E3' };
    const with58: Decoded = { format: 'upc-a', text: '003600029145258', symbologyIdentifier: ']E3' };
    p.pushCameraFrame([with12], 'zxing-wasm', 1);
    clock.advance(33);
    p.pushCameraFrame([upc], 'zxing-wasm', 2);
    expect(seen).toEqual([]); // the code agrees, its add-on has one reading: wait
    clock.advance(33);
    p.pushCameraFrame([with58], 'zxing-wasm', 3);
    expect(seen.map((s) => s.result.problems[0]?.code)).toEqual(['conflicting_reads']);
    clock.advance(5000);
    p.pushCameraFrame([with12], 'zxing-wasm', 4);
    clock.advance(33);
    p.pushCameraFrame([with12], 'zxing-wasm', 5);
    expect(seen.at(-1)?.result).toMatchObject({ kind: 'product', gtin: '00036000291452', addOn: '12' });
  });

  it('holds a book or periodical code read without its add-on, and takes other EANs bare', () => {
    const { clock, p, seen } = rig();
    const book: Decoded = { format: 'ean-13', text: '9781234567897', symbologyIdentifier: ']E0' };
    for (let i = 0; i < 4; i++) {
      p.pushCameraFrame([book], 'zxing-wasm', i);
      clock.advance(33);
    }
    expect(seen).toEqual([]);
    clock.advance(5000);
    p.pushCameraFrame([ean], 'zxing-wasm', 10);
    clock.advance(33);
    p.pushCameraFrame([ean], 'zxing-wasm', 11);
    expect(seen.map((s) => s.result.kind === 'product' && s.result.gtin)).toEqual(['09506000134352']);
    // Without add-ons in the site's set, the book code is an ordinary EAN.
    const off = new ScanPipeline({ clock, year: () => 2026, enabled: new Set(['ean-upc']) });
    off.pushCameraFrame([book], 'zxing-wasm', 1);
    expect(off.pushCameraFrame([book], 'zxing-wasm', 2)[0]?.result).toMatchObject({ kind: 'product', gtin: '09781234567897' });
  });

  it('takes a 2D code on its first decode and reports it again as a duplicate after leaving view briefly', () => {
    const { clock, p, seen } = rig();
    p.pushCameraFrame([dm], 'native', 1);
    clock.advance(900);
    p.pushCameraFrame([dm], 'native', 2);
    expect(seen.map((s) => [s.result.kind, s.duplicate])).toEqual([
      ['product', false],
      ['product', true],
    ]);
    p.resetCamera();
    clock.advance(3000);
    p.pushCameraFrame([dm], 'native', 3);
    expect(seen.at(-1)?.duplicate).toBe(false);
  });

  it('refuses symbologies the site has not enabled, from the wedge as from the camera', () => {
    const clock = new ScriptedClock();
    const p = new ScanPipeline({ clock, year: () => 2026, enabled: new Set(['ean-upc', 'code-128']) });
    expect(p.pushWedge(wedge(']A0A-01-01')).result).toMatchObject({ kind: 'unknown', problems: [{ code: 'symbology_disabled' }] });
    expect(p.pushWedge(wedge(']C0A-01-01')).result).toMatchObject({ kind: 'bin' });
    const c39: Decoded = { format: 'code-39', text: 'A-01-02', symbologyIdentifier: ']A0' };
    p.pushCameraFrame([c39], 'zxing-wasm', 1);
    clock.advance(33);
    expect(p.pushCameraFrame([c39], 'zxing-wasm', 2)[0]?.result.problems[0]?.code).toBe('symbology_disabled');
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
