import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let chromiumChecked = false;

/** Returns the Chromium executable, installing Debian's `chromium` when it is missing and we may. */
export function ensureChromium(): string {
  if (chromiumChecked || existsSync(CHROMIUM_PATH)) {
    chromiumChecked = true;
    return CHROMIUM_PATH;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      `e2e: ${CHROMIUM_PATH} not found. Install Debian's Chromium first: ` +
        '`sudo apt-get update && sudo apt-get install -y chromium` (or run .ci/ci.sh as root).',
    );
  }
  process.stderr.write(`e2e: ${CHROMIUM_PATH} is missing; installing Debian's chromium with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`e2e: \`apt-get ${args.join(' ')}\` failed (exit ${r.status}); install chromium by hand`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`e2e: apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  chromiumChecked = true;
  return CHROMIUM_PATH;
}
