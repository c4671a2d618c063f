import { useEffect, useState } from 'react';
import { TEST_SHEET, type TestCode } from '../../scan/calibration.ts';

/** Renders one test code to SVG with the app's own encoder (bwip-js, loaded on demand). */
async function renderSvg(code: TestCode): Promise<string> {
  const bwip = await import('bwip-js/browser');
  return bwip.toSVG({
    bcid: code.bcid,
    text: code.data,
    scale: 3,
    paddingwidth: 8,
    paddingheight: 8,
    includetext: code.linear,
    textxalign: 'center',
    ...(code.linear ? { height: 14 } : {}),
  });
}

/** The printable test sheet: every code drawn by the app, so no other tool is needed. */
export function TestSheet({ statusOf }: { statusOf: (id: string) => string }) {
  const [svgs, setSvgs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all(TEST_SHEET.map(async (c) => [c.id, await renderSvg(c)] as const))
      .then((pairs) => live && setSvgs(Object.fromEntries(pairs)))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="test-sheet" aria-label="Test sheet">
      <button type="button" className="no-print" onClick={() => window.print()}>
        Print the test sheet
      </button>
      {error ? <p role="alert">The test codes could not be drawn: {error}</p> : null}
      <ol>
        {TEST_SHEET.map((c) => (
          <li key={c.id} className="card">
            <h3>{c.title}</h3>
            {svgs[c.id] ? (
              <img
                alt={`Test code: ${c.title}`}
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgs[c.id] as string)}`}
                style={{ maxWidth: '100%', background: '#fff' }}
              />
            ) : (
              <p aria-busy="true">Drawing…</p>
            )}
            <p className="no-print" role="status">
              {statusOf(c.id)}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
