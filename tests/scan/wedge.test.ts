import { describe, expect, it } from 'vitest';
import {
  attachWedge,
  DEFAULT_WEDGE_SETTINGS,
  FRAGMENT_HOLD_MS,
  LATE_SUFFIX_MS,
  WedgeCapture,
  type KeyTarget,
  type WedgeScan,
  type WedgeSettings,
} from '../../src/scan/wedge.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { seeded } from '../fixtures/random.ts';
import { humanKeys, scannerKeys, type ScriptedKey } from '../fixtures/barcode-keys.ts';

function rig(settings: Partial<WedgeSettings> = {}) {
  const clock = new ScriptedClock();
  const scans: WedgeScan[] = [];
  const replayed: string[] = [];
  const passed: string[] = [];
  const wedge = new WedgeCapture({ ...DEFAULT_WEDGE_SETTINGS, ...settings }, clock, {
    scan: (s) => scans.push(s),
    replay: (t) => replayed.push(t),
  });
  const play = (keys: ScriptedKey[]) => {
    for (const k of keys) {
      clock.advance(k.gapMs);
      if (!wedge.key(k)) passed.push(k.key);
    }
  };
  return { clock, wedge, scans, replayed, passed, play, settle: () => clock.advance(1000) };
}

describe('wedge capture', () => {
  it('takes a fast burst ending in Enter as one scan; no key reaches the field', () => {
    const r = rig();
    r.play(scannerKeys('9506000134352', { gapMs: 3 }));
    r.settle();
    expect(r.scans.map((s) => s.raw)).toEqual(['9506000134352']);
    expect(r.scans[0]).toMatchObject({ ended: 'Enter', durationMs: 36, maxGapMs: 3 });
    expect(r.replayed).toEqual([]);
    expect(r.passed).toEqual([]);
  });

  it('gives human typing back to the field, Enter included', () => {
    const r = rig();
    r.play(humanKeys('12\n', 140));
    r.settle();
    expect(r.scans).toEqual([]);
    expect(r.replayed.join('')).toBe('12');
    expect(r.passed).toEqual(['Enter']);
  });

  it('separates typing and scans that interleave', () => {
    const r = rig();
    r.play(humanKeys('3', 200));
    r.play(scannerKeys('A-01-01', { gapMs: 2, firstGapMs: 120 }));
    r.play(humanKeys('4', 200, 90));
    r.settle();
    expect(r.replayed).toEqual(['3', '4']);
    expect(r.scans.map((s) => s.raw)).toEqual(['A-01-01']);
  });

  it('never merges nor splits a burst of 20 scans a second with jittery timing', () => {
    const r = rig();
    const rand = seeded(42);
    const expected: string[] = [];
    let t = 0;
    for (let i = 0; i < 200; i++) {
      const data = `T-${String(i).padStart(4, '0')}${'X'.repeat(Math.floor(rand() * 8))}`;
      expected.push(data);
      const keys = scannerKeys(data, { gapMs: () => 1 + Math.floor(rand() * 4) });
      const used = keys.reduce((a, k) => a + k.gapMs, 0);
      keys[0]!.gapMs = Math.max(0, i * 50 - t);
      t = i * 50 + used;
      r.play(keys);
    }
    r.settle();
    expect(r.scans.map((s) => s.raw)).toEqual(expected);
    expect(r.replayed).toEqual([]);
  });

  it('ends a scan on silence when the scanner has no suffix; with one configured, silence leaves only a fragment', () => {
    const none = rig({ suffix: 'none' });
    none.play(scannerKeys('T-0001', { gapMs: 4, suffix: null }));
    none.settle();
    expect(none.scans).toEqual([expect.objectContaining({ raw: 'T-0001', ended: 'timeout' })]);
    expect(none.scans[0]?.fragment).toBeUndefined();
    // Issue 13 changed this: a suffix, once configured, is required. The burst is reported
    // (calibration learns the suffix is missing) but marked a fragment, never a scan to act on.
    const enter = rig();
    enter.play(scannerKeys('T-0002', { gapMs: 4, suffix: null }));
    enter.settle();
    expect(enter.scans).toEqual([expect.objectContaining({ raw: 'T-0002', ended: 'timeout', fragment: true })]);
    expect(enter.replayed).toEqual([]);
  });

  it('joins a scan split by a busy device: the part before the pause is never a scan of its own', () => {
    const r = rig();
    // "A-01-01" is a valid bin; the scanner sent "A-01-012" and a pause came after "A-01-01".
    const keys = scannerKeys('A-01-012', { gapMs: 3 });
    keys[7]!.gapMs = 180;
    r.play(keys);
    r.settle();
    expect(r.scans.map((s) => s.raw)).toEqual(['A-01-012']);
    expect(r.scans[0]).toMatchObject({ ended: 'Enter' });
    expect(r.scans[0]?.fragment).toBeUndefined();
    expect(r.replayed).toEqual([]);
    expect(r.passed).toEqual([]);
  });

  it('joins when only the suffix is late, and takes that suffix', () => {
    const r = rig();
    const keys = scannerKeys('4006381330077', { gapMs: 3 });
    keys[keys.length - 1]!.gapMs = FRAGMENT_HOLD_MS - 50;
    r.play(keys);
    expect(r.scans).toEqual([expect.objectContaining({ raw: '4006381330077', ended: 'Enter' })]);
    expect(r.passed).toEqual([]);
  });

  it('refuses a lone fragment whose suffix never comes; its Enter, arriving late, never reaches a focused button', () => {
    const r = rig();
    r.play(scannerKeys('A-01-01', { gapMs: 3, suffix: null }));
    r.clock.advance(FRAGMENT_HOLD_MS - 10);
    expect(r.scans).toEqual([]);
    r.clock.advance(100);
    expect(r.scans).toEqual([expect.objectContaining({ raw: 'A-01-01', fragment: true })]);
    // The tail of that burst: taken, so the button that has focus is not pressed.
    r.play([{ key: 'Enter', gapMs: 100 }]);
    expect(r.passed).toEqual([]);
    // Long after, an Enter is a person's again.
    r.play([{ key: 'Enter', gapMs: LATE_SUFFIX_MS + 10 }]);
    expect(r.passed).toEqual(['Enter']);
    expect(r.scans).toHaveLength(1);
  });

  it("keeps a person's Enter on a button right after a complete scan", () => {
    const r = rig();
    r.play(scannerKeys('T-0001', { gapMs: 3 }));
    r.play([{ key: 'Enter', gapMs: 150 }]);
    expect(r.scans.map((s) => s.raw)).toEqual(['T-0001']);
    expect(r.passed).toEqual(['Enter']);
  });

  it('still gives slow human typing back (no fragment is made of it)', () => {
    const r = rig();
    r.play(humanKeys('1234', 120));
    r.settle();
    expect(r.scans).toEqual([]);
    expect(r.replayed.join('')).toBe('1234');
  });

  it('accepts Tab as a suffix and reports it', () => {
    const r = rig({ suffix: 'Tab' });
    r.play(scannerKeys('A-02-03', { gapMs: 2, suffix: 'Tab' }));
    expect(r.scans).toMatchObject([{ raw: 'A-02-03', ended: 'Tab' }]);
  });

  it('with a prefix, takes a slow wireless scanner as a scan and strips the prefix', () => {
    const r = rig({ prefix: '§' });
    r.play(scannerKeys('§T-0009', { gapMs: 120 }));
    expect(r.scans).toMatchObject([{ raw: 'T-0009', prefixSeen: true }]);
    expect(r.replayed).toEqual([]);
  });

  it('reads Ctrl+] as the GS1 group separator and ignores modifier keys', () => {
    const r = rig();
    const keys = scannerKeys('\u001d0109506000134352\u001d10AB', { gapMs: 2 });
    keys.splice(3, 0, { key: 'Shift', gapMs: 1 });
    r.play(keys);
    expect(r.scans.map((s) => s.raw)).toEqual(['\u001d0109506000134352\u001d10AB']);
  });

  it('takes a carrier label with RS (Ctrl+^) and EOT (Ctrl+D) inside the burst', () => {
    const r = rig();
    const label = ']L2[)>\u001e01\u001d96100010000\u001d840\u001d001\u001d1Z4A86F70390123456\u001dUPSN\u001e\u0004';
    r.play(scannerKeys(label, { gapMs: 2 }));
    r.settle();
    expect(r.scans.map((s) => s.raw)).toEqual([label]);
    expect(r.passed).toEqual([]);
  });

  it("never swallows a person's Ctrl+D or Ctrl+^: outside a burst they are shortcuts", () => {
    const r = rig();
    r.play([
      { key: 'd', ctrlKey: true, gapMs: 0 },
      { key: '^', ctrlKey: true, gapMs: 200 },
    ]);
    r.settle();
    expect(r.passed).toEqual(['d', '^']);
    expect(r.scans).toEqual([]);
    // Held keys given back to a field never carry control characters.
    r.play([
      { key: 'a', gapMs: 0 },
      { key: 'd', ctrlKey: true, gapMs: 5 },
      { key: 'b', gapMs: 150 },
    ]);
    r.settle();
    expect(r.replayed.join('')).toBe('ab');
  });

  it('delivers every AIM symbology identifier unchanged, back to back at 20 scans a second', () => {
    const r = rig();
    const scans = [
      ']A0A-01-07',
      ']A1A-12-032',
      ']G0PART-93X',
      ']F0A40156B',
      ']e00109506000134352',
      ']E3978123456789712345',
      ']U1[)>\u001e01\u001d96123450000\u001e\u0004',
      ']L0[)>\u001e06\u001d1JUN1\u001e\u0004',
    ];
    let t = 0;
    scans.forEach((data, i) => {
      const keys = scannerKeys(data, { gapMs: 2 });
      keys[0]!.gapMs = Math.max(1, i * 50 + 200 - t);
      for (const k of keys) t += k.gapMs;
      r.play(keys);
    });
    r.settle();
    expect(r.scans.map((s) => s.raw)).toEqual(scans);
    expect(r.replayed).toEqual([]);
  });

  it('never types a lone Ctrl+] into a field', () => {
    const r = rig();
    r.play([{ key: ']', ctrlKey: true, gapMs: 0 }]);
    r.settle();
    expect(r.replayed).toEqual([]);
    expect(r.scans).toEqual([]);
  });

  it('lets shortcuts through and returns held keys first', () => {
    const r = rig();
    r.play([
      { key: 'a', gapMs: 0 },
      { key: 'c', ctrlKey: true, gapMs: 5 },
    ]);
    expect(r.replayed).toEqual(['a']);
    expect(r.passed).toEqual(['c']);
  });

  it('does not count a fast pair of keys as a scan', () => {
    const r = rig();
    r.play(scannerKeys('12', { gapMs: 5 }));
    r.settle();
    expect(r.scans).toEqual([]);
    expect(r.replayed).toEqual(['12']);
    expect(r.passed).toEqual(['Enter']);
  });

  it('refuses bad settings naming the field', () => {
    const clock = new ScriptedClock();
    const sinks = { scan: () => undefined, replay: () => undefined };
    expect(() => new WedgeCapture({ ...DEFAULT_WEDGE_SETTINGS, suffix: 'Space' as never }, clock, sinks)).toThrow(/suffix/);
    expect(() => new WedgeCapture({ ...DEFAULT_WEDGE_SETTINGS, maxGapMs: 0 }, clock, sinks)).toThrow(/maxGapMs/);
  });

  it('listens in the capture phase and stops a taken key from reaching the page', () => {
    const clock = new ScriptedClock();
    const scans: string[] = [];
    let listener: ((e: KeyboardEvent) => void) | undefined;
    let captureFlag: boolean | undefined;
    const target: KeyTarget = {
      addEventListener: (_t, fn, o) => {
        listener = fn;
        captureFlag = o.capture;
      },
      removeEventListener: (_t, fn) => {
        if (fn === listener) listener = undefined;
      },
    };
    const detach = attachWedge(target, new WedgeCapture(DEFAULT_WEDGE_SETTINGS, clock, { scan: (s) => scans.push(s.raw), replay: () => undefined }));
    expect(captureFlag).toBe(true);
    let prevented = 0;
    for (const k of scannerKeys('T-0001', { gapMs: 2 })) {
      clock.advance(k.gapMs);
      listener?.({ key: k.key, preventDefault: () => prevented++, stopImmediatePropagation: () => undefined } as unknown as KeyboardEvent);
    }
    expect(scans).toEqual(['T-0001']);
    expect(prevented).toBe(7);
    detach();
    expect(listener).toBeUndefined();
  });
});
