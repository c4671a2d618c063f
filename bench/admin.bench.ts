/**
 * admin.import_10k_skus.s: a 10,000-line catalog CSV imported through the API (parse, check,
 * plan against the store, write, one ledger event per SKU), on embedded PGlite, wall clock of
 * the request. admin.reimport_10k_skus.s: the same file again (nothing changes, nothing written).
 */
import { createApp } from '../src/server/app.ts';
import { gs1CheckDigit } from '../src/domain/barcode/check-digit.ts';
import { round, type Report } from './report.ts';

const LINES = 10_000;

export function catalogFile(lines: number): string {
  const rows = ['sku,name,gtin,case_gtin,units_per_case,lot_tracked,expiry_tracked,reorder_point,velocity_class'];
  for (let i = 0; i < lines; i++) {
    const unit = `0410000${String(i).padStart(6, '0')}`;
    const kase = `1410000${String(i).padStart(6, '0')}`;
    rows.push(
      `BENCH-${i},"Bench item ${i}, size ${i % 7}",${unit}${gs1CheckDigit(unit)},${kase}${gs1CheckDigit(kase)},${6 + (i % 20)},${i % 3 === 0 ? 'yes' : 'no'},no,${i % 50},${'ABC'[i % 3]}`,
    );
  }
  return `${rows.join('\n')}\n`;
}

export async function run(report: Report): Promise<void> {
  const app = await createApp({ dataDir: 'memory://', seed: true, logLevel: 'silent', rateLimit: false });
  try {
    const signIn = await app.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { user: 'admin', pin: '5555', deviceId: '0190a0b0-0bad-7000-8000-000000000001' },
    });
    const token = (JSON.parse(signIn.body) as { token: string }).token;
    const file = catalogFile(LINES);
    const send = async () => {
      const t0 = performance.now();
      const res = await app.app.inject({
        method: 'POST',
        url: '/api/v1/masterdata/catalog/import',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        payload: file,
      });
      const s = (performance.now() - t0) / 1000;
      const body = JSON.parse(res.body) as { created: number; unchanged: number };
      if (res.statusCode !== 200) throw new Error(`import failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return { s, body };
    };
    const first = await send();
    if (first.body.created !== LINES) throw new Error(`expected ${LINES} created, got ${first.body.created}`);
    report({ metric: 'admin.import_10k_skus.s', value: round(first.s, 2), unit: 's' });
    const again = await send();
    if (again.body.unchanged !== LINES) throw new Error(`expected ${LINES} unchanged, got ${again.body.unchanged}`);
    report({ metric: 'admin.reimport_10k_skus.s', value: round(again.s, 2), unit: 's' });
  } finally {
    await app.close();
  }
}
