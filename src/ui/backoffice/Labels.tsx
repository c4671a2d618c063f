import { useEffect, useState } from 'react';

export type LabelKind = 'bin' | 'tote' | 'badge' | 'product';
export type LabelSize = '4x6' | '100x50' | 'a4';
/** The product label's barcode: GS1-128 (linear) or GS1 DataMatrix (2D, for small items), same element string. */
export type Symbology = 'gs1-128' | 'gs1datamatrix';
export type LabelData = { title: string; code: string; gtin?: string; lot?: string; expiry?: string };

/** The GS1 element string of a product label: GTIN, then lot and expiry (YYMMDD) when given. */
export function productElementString(d: LabelData): string {
  const expiry = d.expiry ? d.expiry.replace(/-/g, '').slice(2, 8) : '';
  return `(01)${d.gtin ?? ''}${expiry ? `(17)${expiry}` : ''}${d.lot ? `(10)${d.lot}` : ''}`;
}

/** Draws one label's barcode with bwip-js (loaded on demand, as the scanner set-up's test sheet does). */
async function drawLabel(kind: LabelKind, d: LabelData, symbology: Symbology): Promise<string> {
  const bwip = await import('bwip-js/browser');
  if (kind === 'product') {
    return bwip.toSVG({
      bcid: symbology,
      text: productElementString(d),
      scale: 3,
      includetext: symbology === 'gs1-128',
      textxalign: 'center',
      ...(symbology === 'gs1-128' ? { height: 14 } : {}),
    });
  }
  return bwip.toSVG({ bcid: 'code128', text: d.code, scale: 3, height: 14, includetext: true, textxalign: 'center' });
}

/** A print page of labels (give it a new `key` for new labels), sized for a 4x6 in or 100x50 mm label printer, or an A4 sheet. */
export function LabelSheet({ kind, size, labels, symbology = 'gs1-128' }: { kind: LabelKind; size: LabelSize; labels: LabelData[]; symbology?: Symbology }) {
  const [svgs, setSvgs] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all(labels.map((d) => drawLabel(kind, d, symbology)))
      .then((s) => live && setSvgs(s))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [kind, labels, symbology]);
  if (error) return <p role="alert">The labels could not be drawn: {error}</p>;
  if (!svgs) return <p aria-busy="true">Drawing labels…</p>;
  return (
    <section className={`label-sheet label-${size}`} aria-label="Labels to print">
      {labels.map((d, i) => (
        <figure key={i} className="label">
          <figcaption>{d.title}</figcaption>
          <img
            alt={`${kind} label ${d.code}${kind === 'product' ? ` (${symbology === 'gs1datamatrix' ? 'GS1 DataMatrix' : 'GS1-128'})` : ''}`}
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgs[i] ?? '')}`}
          />
          {kind === 'product' ? <small>{productElementString(d)}</small> : null}
        </figure>
      ))}
    </section>
  );
}
