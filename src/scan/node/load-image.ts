/**
 * Reads PNG, JPEG and WebP files into RGBA frames in Node with pure-JS/wasm decoders
 * shipped in npm packages (nothing downloaded at install, nothing native).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { Frame } from '../camera/types.ts';

export type ImageKind = 'png' | 'jpeg' | 'webp';

/** The image type from the file's first bytes (its name may lie). */
export function sniffImage(bytes: Uint8Array): ImageKind | null {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  const ascii = (a: number, b: number) => String.fromCharCode(...bytes.subarray(a, b));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

let webpReady: Promise<(buf: ArrayBuffer) => Promise<ImageData>> | undefined;

async function webpDecoder(): Promise<(buf: ArrayBuffer) => Promise<ImageData>> {
  webpReady ??= (async () => {
    const mod = await import('@jsquash/webp/decode.js');
    const wasmPath = fileURLToPath(new URL('./codec/dec/webp_dec.wasm', import.meta.resolve('@jsquash/webp/decode.js')));
    const compiled = await WebAssembly.compile(await readFile(wasmPath));
    // init() takes a compiled module first; its published types show only the options form.
    await (mod.init as unknown as (m: WebAssembly.Module) => Promise<void>)(compiled);
    return mod.default;
  })();
  return webpReady;
}

/** Decodes image bytes to an RGBA frame; throws a clear error for anything else. */
export async function decodeImage(bytes: Uint8Array, name = 'image'): Promise<Frame> {
  const kind = sniffImage(bytes);
  switch (kind) {
    case 'png': {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    }
    case 'jpeg': {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
      return { data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength), width: img.width, height: img.height };
    }
    case 'webp': {
      const decode = await webpDecoder();
      const copy = bytes.slice().buffer;
      const img = await decode(copy);
      return { data: img.data, width: img.width, height: img.height };
    }
    default:
      throw new Error(`${name} is not a PNG, JPEG or WebP image`);
  }
}

/** Reads and decodes one image file. */
export async function loadImageFile(file: string): Promise<Frame> {
  return decodeImage(new Uint8Array(await readFile(file)), file);
}
