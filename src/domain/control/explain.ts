/**
 * "Explain this figure": a ledger entry in words a supervisor reads (what was scanned, where, how
 * many), from the event's type and payload. Pure; unknown shapes fall back to the type alone.
 */
type Payload = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** The quantity an entry moved, when it names one (a count names one per line: the line of `sku`). */
export function qtyOf(payload: unknown, sku: string): number | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Payload;
  if (typeof p.qty === 'number') return p.qty;
  if (typeof p.missingQty === 'number') return p.missingQty;
  if (Array.isArray(p.lines)) {
    const line = (p.lines as Payload[]).find((l) => l && l.sku === sku);
    return line && typeof line.qty === 'number' ? line.qty : null;
  }
  return null;
}

/** The location an entry names (its bin, or where units came from and went). */
export function locationOf(payload: unknown): string | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Payload;
  const at = str(p.location);
  if (at) return at;
  const from = str(p.from);
  const to = str(p.to);
  return from && to ? `${from} → ${to}` : (from ?? to);
}

/** What the scan was, in words: the codes the worker scanned and what they named. */
export function describeScan(type: string, payload: unknown): string {
  if (!payload || typeof payload !== 'object') return type;
  const p = payload as Payload;
  const parts: string[] = [];
  const add = (label: string, v: unknown) => {
    const s = str(v);
    if (s) parts.push(`${label} ${s}`);
  };
  add('pallet', p.sscc);
  add('GTIN', p.gtin);
  add('tote', p.tote);
  add('lot', p.lot);
  add('expiry', p.expiry);
  add('list', p.pickListId);
  add('receipt', p.receiptId);
  add('return', p.returnId);
  add('count', p.countTaskId);
  add('condition', p.condition);
  add('decision', p.decision);
  add('corrects', p.corrects);
  return parts.length > 0 ? `${type}: ${parts.join(', ')}` : type;
}
