/**
 * `npm run bench`: runs every bench/*.bench.ts in turn and prints one JSON line per figure,
 * `{"metric": "api.push.p99_ms", "value": 7.2, "unit": "ms"}`. Pass names to run a subset:
 * `npm run bench -- api sync`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { BenchModule, Figure } from './report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const report = (f: Figure) => console.log(JSON.stringify(f));
let failed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
  try {
    await mod.run(report);
  } catch (err) {
    failed += 1;
    console.error(`bench ${file} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
