/**
 * Stock: every SKU with its buckets per site, open reservations and each channel's ATP; any
 * figure opens "explain this figure" (the ledger entries behind it, with who, which device, when
 * and what the scan was) and the SKU's ATP chart. Follows the live board.
 */
import { useState } from 'react';
import type { ChartsAnswer, ExplainAnswer, StockAnswer } from '../../domain/control/protocol.ts';
import { Chart } from './Chart.tsx';
import { useLiveRead } from './use-control.ts';

const BUCKETS = ['available', 'committed', 'qc', 'quarantine', 'suspect', 'reserved'] as const;
type Bucket = (typeof BUCKETS)[number];
const PAGE = 50;

type Pick = { sku: string; site: string | null; bucket: Bucket };

function Explain({ pick, onClose }: { pick: Pick; onClose(): void }) {
  const q = `?bucket=${pick.bucket}${pick.site ? `&site=${encodeURIComponent(pick.site)}` : ''}`;
  const ex = useLiveRead<ExplainAnswer>(`/stock/${encodeURIComponent(pick.sku)}/explain${q}`);
  const charts = useLiveRead<ChartsAnswer>(`/charts?sku=${encodeURIComponent(pick.sku)}&days=14`, 10_000);
  return (
    <section aria-label="Explain this figure" className="explain">
      <h2>
        {pick.sku} · {pick.bucket} {pick.site ? `at ${pick.site}` : 'everywhere'}: {ex.data?.figure ?? '…'}
      </h2>
      <button type="button" onClick={onClose}>
        Close
      </button>
      {ex.error ? <p role="alert">{ex.error}</p> : null}
      {ex.data && ex.data.reservations.length > 0 ? (
        <table aria-label="Open reservations">
          <thead>
            <tr>
              <th>order</th>
              <th>channel</th>
              <th>units</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {ex.data.reservations.map((r) => (
              <tr key={r.orderId}>
                <td>{r.orderId}</td>
                <td>{r.channelId}</td>
                <td>{r.qty}</td>
                <td>{r.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {ex.data && pick.bucket !== 'reserved' ? (
        <table aria-label="Ledger entries">
          <thead>
            <tr>
              <th>received</th>
              <th>who</th>
              <th>device</th>
              <th>what was scanned</th>
              <th>where</th>
              <th>units</th>
            </tr>
          </thead>
          <tbody>
            {ex.data.entries.map((e) => (
              <tr key={e.position}>
                <td title={`recorded on the device at ${e.occurredAt}`}>{new Date(e.receivedAt).toLocaleString()}</td>
                <td>{e.actor}</td>
                <td title={e.deviceId}>
                  {e.deviceId.slice(-12)} #{e.seq}
                </td>
                <td>{e.scan}</td>
                <td>{e.location}</td>
                <td>{e.qty}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {ex.data && ex.data.entries.length === 0 && pick.bucket !== 'reserved' ? <p>No ledger entry moved this figure.</p> : null}
      {charts.data ? <Chart title={`ATP of ${pick.sku} per channel`} series={charts.data.atp} unit="units" step days={14} /> : null}
    </section>
  );
}

export function StockPage() {
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const [pick, setPick] = useState<Pick | null>(null);
  const stock = useLiveRead<StockAnswer>(`/stock?limit=${PAGE}&offset=${offset}${query ? `&q=${encodeURIComponent(query)}` : ''}`);
  const items = stock.data?.items ?? [];
  const channels = [...new Set(items.flatMap((i) => i.atp.map((a) => a.channelId)))].sort();
  return (
    <section aria-label="Stock">
      <label>
        Find a SKU
        <input
          type="search"
          value={query}
          maxLength={100}
          onChange={(e) => {
            setQuery(e.target.value);
            setOffset(0);
          }}
        />
      </label>
      {stock.error ? <p role="alert">{stock.error}</p> : null}
      {pick ? <Explain pick={pick} onClose={() => setPick(null)} /> : null}
      <div className="scroll">
        <table aria-label="Stock by SKU and site">
          <thead>
            <tr>
              <th>SKU</th>
              <th>site</th>
              {BUCKETS.map((b) => (
                <th key={b}>{b}</th>
              ))}
              {channels.map((c) => (
                <th key={c}>ATP {c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.flatMap((i) =>
              (i.sites.length > 0 ? i.sites : [null]).map((s, n) => (
                <tr key={`${i.sku} ${s?.site ?? ''}`}>
                  {n === 0 ? (
                    <td rowSpan={Math.max(1, i.sites.length)} title={i.name}>
                      {i.sku}
                      {i.reorderPoint !== null ? <small> (reorder at {i.reorderPoint})</small> : null}
                    </td>
                  ) : null}
                  <td>{s?.site ?? '—'}</td>
                  {BUCKETS.map((b) => (
                    <td key={b}>
                      {s ? (
                        <button
                          type="button"
                          className="figure"
                          aria-label={`Explain ${b} of ${i.sku} at ${s.site}`}
                          onClick={() => setPick({ sku: i.sku, site: s.site, bucket: b })}
                        >
                          {s[b]}
                        </button>
                      ) : (
                        0
                      )}
                    </td>
                  ))}
                  {channels.map((c) =>
                    n === 0 ? (
                      <td key={c} rowSpan={Math.max(1, i.sites.length)}>
                        {i.atp.some((a) => a.channelId === c) ? (
                          <button
                            type="button"
                            className="figure"
                            aria-label={`Explain ATP of ${i.sku} for ${c}`}
                            onClick={() => setPick({ sku: i.sku, site: null, bucket: 'available' })}
                          >
                            {i.atp.find((a) => a.channelId === c)?.atp}
                          </button>
                        ) : (
                          '—'
                        )}
                      </td>
                    ) : null,
                  )}
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <p>
        {stock.data ? `${offset + 1}–${offset + items.length} of ${stock.data.total} SKUs` : 'Loading…'}{' '}
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>{' '}
        <button type="button" disabled={!stock.data || offset + PAGE >= stock.data.total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </p>
    </section>
  );
}
