import { useState } from 'react';
import { formatLineError } from '../../domain/masterdata/csv.ts';
import { useDevice } from '../app/device.ts';
import { useSignedIn } from '../session/store.ts';
import { call, download, type Entity, type ImportReport } from './api.ts';

/** Choose a CSV file, see what it would change and every line error, then import it (all, or the clean lines only). */
export function ImportPanel({ entity, onImported }: { entity: Entity; onImported: () => void }) {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const preview = async (f: File) => {
    setOutcome(null);
    setBusy(true);
    try {
      const text = await f.text();
      setFile({ name: f.name, text });
      const r = await call<ImportReport>(http, token, 'POST', `/${entity}/preview`, { csv: text });
      if (r.status !== 200) setOutcome(r.body.message ?? `the API answered ${r.status}`);
      setReport(r.status === 200 ? r.body : null);
    } finally {
      setBusy(false);
    }
  };
  const importIt = async (mode: 'all' | 'clean') => {
    if (!file) return;
    setBusy(true);
    try {
      const r = await call<ImportReport>(http, token, 'POST', `/${entity}/import?mode=${mode}`, { csv: file.text });
      setReport(r.body.errors ? r.body : report);
      setOutcome(
        r.status === 200
          ? `Imported: ${r.body.created} new, ${r.body.updated} changed, ${r.body.unchanged} unchanged.`
          : (r.body.message ?? `the API answered ${r.status}`),
      );
      if (r.status === 200) onImported();
    } finally {
      setBusy(false);
    }
  };
  const exportIt = async () => {
    const r = await call<string>(http, token, 'GET', `/${entity}/export.csv`);
    if (r.status === 200) download(`${entity}.csv`, r.body);
    else setOutcome(r.body.message ?? `the API answered ${r.status}`);
  };

  return (
    <section className="bo-import" aria-label={`Import and export ${entity}`}>
      <label>
        Import a CSV file ({entity})
        <input type="file" accept=".csv,text/csv,text/plain" disabled={busy} onChange={(e) => e.target.files?.[0] && void preview(e.target.files[0])} />
      </label>
      <button type="button" onClick={() => void exportIt()}>
        Export CSV
      </button>
      {report ? (
        <div role="region" aria-label="Preview">
          <p>
            {file?.name}: {report.lines} lines; {report.created} new, {report.updated} changed, {report.unchanged} unchanged; {report.errorCount} with errors.
            {report.unknownColumns.length > 0 ? ` Ignored columns: ${report.unknownColumns.join(', ')}.` : ''}
          </p>
          {report.errorCount > 0 ? (
            <ul aria-label="Line errors" className="bo-errors">
              {report.errors.map((e, i) => (
                <li key={i}>{formatLineError(e)}</li>
              ))}
            </ul>
          ) : null}
          <button type="button" disabled={busy || report.errorCount > 0} onClick={() => void importIt('all')}>
            Import
          </button>
          {report.errorCount > 0 ? (
            <button type="button" disabled={busy} onClick={() => void importIt('clean')}>
              Import the clean lines only
            </button>
          ) : null}
        </div>
      ) : null}
      {outcome ? <p role="status">{outcome}</p> : null}
    </section>
  );
}
