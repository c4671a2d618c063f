import { describe, expect, it } from 'vitest';
import { analyseCalibrationScan, suggestWedgeSettings, TEST_SHEET } from '../../src/scan/calibration.ts';
import { DEFAULT_WEDGE_SETTINGS, type WedgeScan } from '../../src/scan/wedge.ts';

const code = (id: string) => TEST_SHEET.find((c) => c.id === id)!;
const scan = (raw: string, over: Partial<WedgeScan> = {}): WedgeScan => ({
  raw,
  ended: 'Enter',
  startedAt: 0,
  durationMs: raw.length * 3,
  maxGapMs: 4,
  prefixSeen: false,
  ...over,
});
const codes = (f: { code: string }[]) => f.map((x) => x.code);

describe('calibration analysis', () => {
  it('accepts an exact read and reports suffix and timing', () => {
    const f = analyseCalibrationScan(code('layout'), scan('Az-Qy.Wm1/9', { ended: 'Tab', durationMs: 30, maxGapMs: 5 }));
    expect(codes(f)).toEqual(['suffix', 'timing', 'ok']);
    expect(f[0]).toMatchObject({ suffix: 'Tab' });
    expect(f[1]).toMatchObject({ meanGapMs: 3, maxGapMs: 5 });
  });

  it('tells a German keyboard, a French keyboard and Caps Lock apart', () => {
    expect(analyseCalibrationScan(code('layout'), scan('Ay-Qz.Wm1/9')).at(-1)).toMatchObject({ code: 'layout', layout: 'qwertz' });
    expect(analyseCalibrationScan(code('layout'), scan('Qw-Ay.Z,&/ç')).at(-1)).toMatchObject({ code: 'layout', layout: 'azerty' });
    expect(analyseCalibrationScan(code('layout'), scan('aZ-qY.wM1/9')).at(-1)).toMatchObject({ code: 'caps_lock' });
  });

  it('finds a missing group separator and a substitute for it', () => {
    expect(codes(analyseCalibrationScan(code('gs1'), scan('010950600013435210CAL12177')))).toContain('gs_missing');
    const f = analyseCalibrationScan(code('gs1'), scan('010950600013435210CAL1~2177'));
    expect(f.at(-1)).toMatchObject({ code: 'gs_substitute', substitute: '~' });
  });

  it('finds a prefix, symbology identifiers and a missing suffix', () => {
    const f = analyseCalibrationScan(code('ean'), scan('#]E09506000134352', { ended: 'timeout' }));
    expect(codes(f)).toEqual(['suffix', 'timing', 'prefix']);
    const g = analyseCalibrationScan(code('ean'), scan(']E09506000134352'));
    expect(codes(g)).toEqual(['symbology_ids', 'suffix', 'timing', 'ok']);
  });

  it('turns findings into settings', () => {
    const findings = [
      ...analyseCalibrationScan(code('gs1'), scan('010950600013435210CAL1~2177', { ended: 'Tab', maxGapMs: 60 })),
      ...analyseCalibrationScan(code('ean'), scan('#9506000134352', { ended: 'Tab', maxGapMs: 10 })),
    ];
    expect(codes(findings)).toContain('gs1_unmarked');
    expect(suggestWedgeSettings(DEFAULT_WEDGE_SETTINGS, findings)).toEqual({
      ...DEFAULT_WEDGE_SETTINGS,
      suffix: 'Tab',
      gsSubstitute: '~',
      prefix: '#',
      maxGapMs: 95,
      gs1WithoutIdentifier: true,
    });
    const marked = analyseCalibrationScan(code('gs1'), scan(']C1010950600013435210CAL1\u001d2177'));
    expect(codes(marked)).toEqual(['symbology_ids', 'suffix', 'timing', 'ok']);
    expect(codes(analyseCalibrationScan(code('gs1'), scan('\u001d010950600013435210CAL1\u001d2177')))).toEqual(['suffix', 'timing', 'ok']);
  });

  it('says plainly when the read is something else', () => {
    expect(analyseCalibrationScan(code('ean'), scan('12345')).at(-1)).toMatchObject({ code: 'mismatch' });
  });
});
