import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/scan/node/node-decoders.ts';
import { decodeImage } from '../../src/scan/node/load-image.ts';
import { readFrame, scanIdentity } from '../../src/scan/read-frame.ts';
import type { Decoder } from '../../src/scan/camera/types.ts';
import { MORE_SYMBOLS, SYMBOLS, VARIANTS, blankFrames, corpus, framePng, renderSymbol, REFERENCE_YEAR, type CorpusSample } from '../fixtures/barcode-corpus.ts';
import { CONDITIONS, photographHard } from '../fixtures/barcode-photo.ts';
import { frameJpeg, frameWebp } from '../fixtures/barcode-images.ts';

const run = promisify(execFile);
const clean = VARIANTS.filter((v) => v.name === 'clean');

describe('camera engines on the generated corpus', () => {
  let wasm: Decoder;
  let port: Decoder;
  const samples: CorpusSample[] = [];
  beforeAll(async () => {
    wasm = await createNodeDecoder('zxing-wasm');
    port = await createNodeDecoder('zxing-browser');
    for await (const s of corpus({ variants: clean })) samples.push(s);
  });
  afterAll(() => {
    wasm.close();
    port.close();
  });

  it('zxing-wasm reads every format, GS1 included, to the meaning on the label', async () => {
    expect(samples).toHaveLength(SYMBOLS.length);
    for (const s of samples) {
      const { reads } = await readFrame(wasm, s.frames[0], { referenceYear: REFERENCE_YEAR });
      expect(
        reads.map((r) => scanIdentity(r.parsed)),
        s.spec.name,
      ).toEqual([s.expected]);
      expect(reads[0]?.parsed.kind, s.spec.name).not.toBe('unknown');
    }
  });

  it('keeps GS1 separators as ASCII 29 and the GS1 formats apart from plain ones', async () => {
    const gs1dm = samples.find((s) => s.spec.name === 'gs1-datamatrix')!;
    const { reads } = await readFrame(wasm, gs1dm.frames[0], { referenceYear: REFERENCE_YEAR });
    expect(reads[0]?.decoded).toMatchObject({ format: 'gs1-datamatrix', text: '010950600013435217261231' + '10LOT1\u001d21S123' });
    const code128 = samples.find((s) => s.spec.name === 'code-128')!;
    expect((await readFrame(wasm, code128.frames[0])).reads[0]?.decoded.format).toBe('code-128');
  });

  it('the TypeScript fallback never reads a label as something else', async () => {
    let read = 0;
    for (const s of samples) {
      const { reads } = await readFrame(port, s.frames[0], { referenceYear: REFERENCE_YEAR });
      for (const r of reads) {
        if (r.parsed.kind !== 'unknown') {
          expect(scanIdentity(r.parsed), s.spec.name).toBe(s.expected);
          read++;
        }
      }
    }
    expect(read).toBeGreaterThanOrEqual(8);
  });

  it('finds nothing in frames without a barcode', async () => {
    for (const f of blankFrames(5, 99)) {
      expect((await wasm.decode(f)).length).toBe(0);
      expect((await port.decode(f)).length).toBe(0);
    }
  });
});

describe('npm run decode', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scan-decode-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON line per image for PNG, JPEG and WebP, null text where nothing was read', async () => {
    const pick = async (name: string) => {
      for await (const s of corpus({ symbols: SYMBOLS.filter((x) => x.name === name), variants: clean })) return s.frames[0];
      throw new Error(name);
    };
    const files = {
      png: path.join(dir, 'gs1-datamatrix.png'),
      jpg: path.join(dir, 'ean-13.jpg'),
      webp: path.join(dir, 'gs1-128.webp'),
      blank: path.join(dir, 'blank.png'),
      blurred: path.join(dir, 'blurred-ean-13.png'),
      maxicode: path.join(dir, 'maxicode-crop.png'),
      junk: path.join(dir, 'notes.txt'),
    };
    const maxi = await renderSymbol(MORE_SYMBOLS.find((x) => x.name === 'maxicode')!);
    const maxiRgba = new Uint8ClampedArray(maxi.width * maxi.height * 4);
    for (let i = 0; i < maxi.data.length; i++) maxiRgba.fill(maxi.data[i] as number, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4);
    await writeFile(files.maxicode, framePng({ data: maxiRgba, width: maxi.width, height: maxi.height }));
    const ean = SYMBOLS.find((x) => x.name === 'ean-13')!;
    const defocus = CONDITIONS.find((c) => c.name === 'defocus')!;
    await writeFile(files.blurred, framePng(photographHard(await renderSymbol(ean), ean, defocus, 5009, 0)));
    await writeFile(files.png, framePng(await pick('gs1-datamatrix')));
    await writeFile(files.jpg, frameJpeg(await pick('ean-13')));
    await writeFile(files.webp, await frameWebp(await pick('gs1-128')));
    await writeFile(files.blank, framePng(blankFrames(1, 5)[0]!));
    await writeFile(files.junk, 'not an image');
    const args = ['tsx', 'src/scan/node/decode-cli.ts', ...Object.values(files)];
    const out = await run('npx', args, { cwd: process.cwd() }).then(
      (r) => r.stdout,
      (err: { stdout: string; code: number }) => {
        expect(err.code).toBe(1); // the unreadable file
        return err.stdout;
      },
    );
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file)).toEqual(Object.values(files));
    expect(lines[0]).toMatchObject({
      engine: 'zxing-wasm',
      format: 'gs1-datamatrix',
      text: '010950600013435217261231' + '10LOT1\u001d21S123',
      parsed: { kind: 'product', lot: 'LOT1', serial: 'S123' },
    });
    expect(lines[1]).toMatchObject({ format: 'ean-13', text: '9506000134352', parsed: { kind: 'product', gtin: '09506000134352' } });
    expect(lines[2]).toMatchObject({ format: 'gs1-128', parsed: { kind: 'product', lot: 'ABC123', expiry: '2026-12-31' } });
    expect(lines[3]).toMatchObject({ text: null, format: null, parsed: null });
    expect(lines[3]).not.toHaveProperty('refused');
    // Read by one preparation only: the command says it refused to guess rather than print it.
    expect(lines[4]).toMatchObject({ text: null, parsed: null, refused: expect.stringMatching(/refused to guess: 9506000134352 was read only one way/) });
    expect(lines[5]).toMatchObject({ format: 'maxicode', parsed: { kind: 'unknown', shipment: { trackingNumber: '1Z12345675', carrier: 'UPSN' } } });
    expect(lines[6]).toMatchObject({ text: null, error: expect.stringMatching(/not a PNG, JPEG or WebP/) });
  });

  it('decodes image bytes of each type to the same pixels size', async () => {
    const frame = blankFrames(1, 11)[0]!;
    for (const bytes of [framePng(frame), frameJpeg(frame), await frameWebp(frame)]) {
      const img = await decodeImage(new Uint8Array(bytes));
      expect([img.width, img.height, img.data.length]).toEqual([1280, 720, 1280 * 720 * 4]);
    }
  });
});
