/**
 * Audits of the built app in Debian's Chromium: axe-core finds no serious or critical
 * accessibility violation on the main screens; Lighthouse's results and Chromium's
 * installability verdict are recorded in test-results/lighthouse.json (scores are figures,
 * not pass/fail: see bench/pwa.bench.ts);
 * and opened over plain HTTP under a LAN name, the app says camera scanning needs HTTPS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { afterEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT, runLighthouse, startApp } from './harness.ts';
import type { App } from './harness.ts';
import { expectFeedback, openApp, scan, signIn } from '../ui/floor-steps.ts';

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
  test('sign-in, home, pick lists, a pick and the sync status have no serious or critical violation', async () => {
    app = await startApp();
    const { page } = app;
    const found: Record<string, string[]> = {};
    await openApp(page, app.baseUrl);
    found['sign-in'] = await seriousViolations(page);

    await signIn(page, 'picker', '1111');
    found.home = await seriousViolations(page);

    await page.getByRole('button', { name: 'Pick', exact: true }).click();
    await page.getByRole('button', { name: /Order SO-50001/ }).waitFor();
    found['pick lists'] = await seriousViolations(page);

    await page.getByRole('button', { name: /Order SO-50001/ }).click();
    await scan(page, 'T-0001');
    await scan(page, 'A-01-01');
    await expectFeedback(page, 'Bin A-01-01');
    found.pick = await seriousViolations(page);

    await page
      .getByRole('button', { name: /^Sync\b/ })
      .first()
      .click();
    await page.getByRole('region', { name: 'Sync status' }).waitFor();
    found['sync status'] = await seriousViolations(page);

    expect(found).toEqual({ 'sign-in': [], home: [], 'pick lists': [], pick: [], 'sync status': [] });

    // The checker itself is live: a nameless button on the same page is caught.
    await page.evaluate(() => document.body.append(document.createElement('button')));
    expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^critical button-name/)]);
  });
});

describe('Lighthouse', () => {
  test('runs on the built app; scores recorded, the page is a well-formed PWA shell', async () => {
    app = await startApp({ persistent: true });
    const lh = await runLighthouse(app.baseUrl);
    // Lighthouse 12 dropped its PWA category; installability is Chromium's own verdict,
    // the check Lighthouse's old installable-manifest audit reported.
    await app.page.goto(app.baseUrl);
    await app.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const cdp = await app.context.newCDPSession(app.page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    const out = path.join(ROOT, 'test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'lighthouse.json'), JSON.stringify({ ...lh, installabilityErrors }, null, 2));
    console.log(`lighthouse ${lh.lighthouseVersion}: ${JSON.stringify(lh.scores)}; installability errors: ${JSON.stringify(installabilityErrors)}`);
    expect(installabilityErrors).toEqual([]);
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
