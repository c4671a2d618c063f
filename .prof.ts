import { jpegRoundTrip } from './tests/fixtures/barcode-photo.ts';
const f = { data: new Uint8ClampedArray(1280*720*4).map((_, i) => (i * 7919) % 251), width: 1280, height: 720 };
let t = performance.now(); jpegRoundTrip(f, 80); console.log('jpeg', performance.now() - t);
const buf = new Float32Array(1280*720); t = performance.now();
for (let y = 0; y < 720; y++) for (let x = 0; x < 1280; x++) { const a = Math.cos(0.1) * x + Math.sin(0.1) * y; buf[y*1280+x] = Math.asin(Math.min(1, a / 3000)); }
console.log('loop', performance.now() - t);
