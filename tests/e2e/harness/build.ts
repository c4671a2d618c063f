import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'floor-e2e');

const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function walk(p: string, out: string[]): void {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) walk(path.join(p, name), out);
  } else {
    out.push(`${path.relative(ROOT, p)}:${st.size}:${st.mtimeMs}`);
  }
}

/** A stamp of everything `vite build` reads: same stamp, same build. */
function sourceStamp(buildId: string): string {
  const lines: string[] = [`build-id:${buildId}`, 'mode:production'];
  for (const input of BUILD_INPUTS) walk(path.join(ROOT, input), lines);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` while holding a cross-process lock (a directory made atomically). */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = path.join(CACHE_DIR, `${name}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      // A lock left by a dead process (killed mid-build) is taken over.
      if (holder && !pidAlive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs `vite build` into `outDir`; `buildId` is baked into the bundle so two builds differ. */
export async function buildApp(outDir: string, buildId = 'e2e'): Promise<string> {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      // Always the production bundle (what ships): vitest sets NODE_ENV=test, with which Vite builds React's development copy.
      env: { ...process.env, NODE_ENV: 'production', FLOOR_BUILD_ID: buildId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`e2e: vite build failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
  if (!existsSync(path.join(outDir, 'index.html'))) throw new Error(`e2e: vite build wrote no index.html in ${outDir}`);
  process.stderr.write(`e2e: built ${buildId} into ${path.relative(ROOT, outDir)} in ${Date.now() - started} ms\n`);
  return outDir;
}

/**
 * The built app for this source state, building it at most once across parallel test
 * files and runs. `FLOOR_E2E_DIST` (set by the e2e global setup) short-circuits it.
 */
export async function ensureBuilt(buildId = 'e2e'): Promise<string> {
  const fromEnv = process.env.FLOOR_E2E_DIST;
  if (buildId === 'e2e' && fromEnv && existsSync(path.join(fromEnv, 'index.html'))) return fromEnv;
  return withLock('build', async () => {
    const stamp = sourceStamp(buildId);
    const outDir = path.join(CACHE_DIR, `dist-${buildId}-${stamp}`);
    if (existsSync(path.join(outDir, '.complete'))) return outDir;
    await buildApp(outDir, buildId);
    writeFileSync(path.join(outDir, '.complete'), new Date().toISOString());
    pruneOldBuilds(outDir);
    return outDir;
  });
}

/** Keeps the cache small; builds younger than an hour may still be served by a running test. */
function pruneOldBuilds(keep: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(CACHE_DIR)) {
    const p = path.join(CACHE_DIR, name);
    if (!name.startsWith('dist-') || p === keep) continue;
    if (statSync(p).mtimeMs < hourAgo) rmSync(p, { recursive: true, force: true });
  }
}

/** The JS files a first load fetches before anything lazy: entry, static imports, modulepreloads. */
export function initialJsFiles(dist: string): string[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const queue = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)]
    .map((m) => m[1])
    .filter((f): f is string => f !== undefined);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(path.join(dist, file), 'utf8');
    // Static imports only (`import{a}from"./x.js"`, `import"./y.js"`); `import("./z.js")` is lazy.
    for (const m of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.\/[^"']+\.js)["']/g)) {
      if (m[1]) queue.push(path.posix.join(path.posix.dirname(file), m[1]));
    }
  }
  return [...seen];
}
