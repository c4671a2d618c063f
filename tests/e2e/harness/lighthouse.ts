import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts';

export type LighthouseSummary = {
  lighthouseVersion: string;
  /** Category scores, 0-100. */
  scores: Record<string, number>;
  /** Selected metrics (ms or unitless as Lighthouse reports them). */
  metrics: Record<string, number>;
  /** Audits that scored below 1 in the performance and accessibility categories, by id. */
  failing: { id: string; title: string; score: number | null }[];
};

/**
 * Runs Lighthouse (the npm package) on Debian's Chromium against `url`: mobile form factor,
 * simulated throttling, no network needed beyond `url`.
 */
export async function runLighthouse(url: string, categories = ['performance', 'accessibility', 'best-practices']): Promise<LighthouseSummary> {
  const chromePath = ensureChromium();
  const { launch } = await import('chrome-launcher');
  const { default: lighthouse } = await import('lighthouse');
  const chrome = await launch({ chromePath, chromeFlags: ['--headless=new', ...CHROMIUM_ARGS] });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: categories });
    if (!result) throw new Error('e2e: Lighthouse returned no result');
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`e2e: Lighthouse failed: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const scores: Record<string, number> = {};
    const failing: LighthouseSummary['failing'] = [];
    for (const [id, cat] of Object.entries(lhr.categories)) {
      scores[id] = Math.round((cat.score ?? 0) * 100);
      for (const ref of cat.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) failing.push({ id: ref.id, title: audit.title, score: audit.score });
      }
    }
    const metrics: Record<string, number> = {};
    for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index', 'interactive']) {
      const v = lhr.audits[id]?.numericValue;
      if (typeof v === 'number') metrics[id] = v;
    }
    return { lighthouseVersion: lhr.lighthouseVersion, scores, metrics, failing };
  } finally {
    chrome.kill();
  }
}
