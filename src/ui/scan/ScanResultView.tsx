import type { ScanResult } from '../../domain/barcode/parse-scan.ts';

const KIND_LABEL: Record<ScanResult['kind'], string> = {
  product: 'Product',
  sscc: 'Pallet (SSCC)',
  bin: 'Bin',
  tote: 'Tote',
  badge: 'Badge',
  unknown: 'Not recognised',
};

/** What a scan is, in words; every text from the label is shown through its safe `display` form. */
export function ScanResultView({ result, duplicate = false }: { result: ScanResult; duplicate?: boolean }) {
  const rows: [string, string][] = [];
  if (result.kind === 'product') {
    rows.push(['GTIN', result.gtin]);
    if (result.lot) rows.push(['Lot', result.lot]);
    if (result.expiry) rows.push(['Expiry', result.expiry]);
    if (result.bestBefore) rows.push(['Best before', result.bestBefore]);
    if (result.count !== undefined) rows.push(['Count', String(result.count)]);
    if (result.serial) rows.push(['Serial', result.serial]);
  } else if (result.kind === 'sscc') {
    rows.push(['SSCC', result.sscc]);
    if (result.gtin) rows.push(['Contains', result.gtin]);
    if (result.count !== undefined) rows.push(['Count', String(result.count)]);
  } else if (result.kind === 'bin') rows.push(['Location', result.location]);
  else if (result.kind === 'tote') rows.push(['Tote', result.tote]);
  else if (result.kind === 'badge') rows.push(['User', result.user]);
  return (
    <section className="card scan-result" aria-label="Scanned code" data-kind={result.kind}>
      <p>
        <strong>{KIND_LABEL[result.kind]}</strong> · {result.format}
        {duplicate ? <em> · already scanned</em> : null}
      </p>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>Read</dt>
          <dd>
            <code>{result.display}</code>
          </dd>
        </div>
      </dl>
      {result.problems.length > 0 ? (
        <ul className="problems" aria-label="Problems">
          {result.problems.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
