/**
 * Audits of the built app in Debian's Chromium: axe-core finds no serious or critical
 * accessibility violation on the main screens; Lighthouse's results are recorded in
 * test-results/lighthouse.json (scores are figures, not pass/fail: see bench/pwa.bench.ts);
 * and opened over plain HTTP under a LAN name, the app says camera scanning needs HTTPS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { afterEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT, runLighthouse, startApp } from './harness.ts';
import type { App } from './harness.ts';

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('accessibility (axe-core)', () => {
  test('the first screen has no serious or critical violation', async () => {
    app = await startApp();
    await app.page.goto(app.baseUrl);
    await app.page.locator('#root > *').first().waitFor();
    expect(await seriousViolations(app.page)).toEqual([]);
  });
});

describe('Lighthouse', () => {
  test('runs on the built app; scores recorded, the page is a well-formed PWA shell', async () => {
    app = await startApp();
    const lh = await runLighthouse(app.baseUrl);
    const out = path.join(ROOT, 'test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'lighthouse.json'), JSON.stringify(lh, null, 2));
    console.log(`lighthouse ${lh.lighthouseVersion}: ${JSON.stringify(lh.scores)}`);
    expect(Object.keys(lh.scores).sort()).toEqual(['accessibility', 'best-practices', 'performance']);
    // Failing audits that are about the shell itself (not speed): these must all pass.
    const shellAudits = ['document-title', 'html-has-lang', 'meta-viewport', 'color-contrast', 'button-name', 'errors-in-console'];
    expect(lh.failing.filter((a) => shellAudits.includes(a.id))).toEqual([]);
  });
});

describe('secure context', () => {
  test('over plain HTTP under a LAN name: no worker, and a clear note that the camera needs HTTPS', async () => {
    app = await startApp({ extraArgs: ['--host-resolver-rules=MAP scanner.warehouse.test 127.0.0.1'] });
    const lanUrl = app.baseUrl.replace('127.0.0.1', 'scanner.warehouse.test');
    await app.page.goto(lanUrl);
    expect(await app.page.evaluate(() => window.isSecureContext)).toBe(false);
    const note = app.page.getByRole('note').filter({ hasText: 'Camera scanning needs HTTPS' });
    await note.waitFor();
    expect(await note.textContent()).toContain(`https://${new URL(lanUrl).host}/`);
    expect(await app.page.evaluate(() => 'serviceWorker' in navigator)).toBe(false);

    // On localhost the same build is a secure context: no note.
    await app.page.goto(app.baseUrl);
    await app.page.locator('#root > *').first().waitFor();
    expect(await app.page.getByText('Camera scanning needs HTTPS').count()).toBe(0);
  });
});
