import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './build.ts';

export type Storefront = { url: string; output: () => string; close(): Promise<void> };

/**
 * Starts the reference storefront (`npm run storefront`, src/storefront/main.ts) as a process
 * of its own against `apiUrl`, on a free port, and waits until it has registered its channel
 * and webhook endpoint (it prints its address then).
 */
export async function startStorefront(apiUrl: string, env: Record<string, string> = {}): Promise<Storefront> {
  const child: ChildProcess = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/storefront/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, API_URL: apiUrl, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the storefront did not start in 60 s:\n${out}`)), 60_000);
    const read = (d: Buffer) => {
      out += d.toString();
      const m = /Reference storefront: (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the storefront stopped (${code}):\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(hard);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
