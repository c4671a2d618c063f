/**
 * Expected receipts (an ASN): a supplier's shipment to a dock, its lines (SKU or GTIN, expected
 * quantity) and its pallets (SSCC). A CSV has one line per receipt line; the receipt's fields
 * repeat and must agree, and a pallet's SSCC may be given on any of its lines.
 */
import { z } from 'zod';
import { isValidSscc } from '../barcode/check-digit.ts';
import { MAX_QTY } from '../ids.ts';
import { parseCsv, type ColumnSpec, type LineError } from './csv.ts';
import type { CheckedFile } from './catalog.ts';
import { checkEach, codeField, gtinField, shown, textField, wholeField, type Checked } from './fields.ts';

export const MAX_RECEIPT_LINES = 2_000;
export const MAX_PALLETS = 500;

const ssccField = z
  .unknown()
  .optional()
  .transform((v, ctx): string => {
    const s = typeof v === 'string' ? v.trim().replace(/^\(00\)/, '') : '';
    const digits = s.length === 20 && s.startsWith('00') ? s.slice(2) : s;
    if (!/^\d{18}$/.test(digits)) return (ctx.addIssue({ code: 'custom', message: `SSCC must be 18 digits, got ${shown(v)}` }), z.NEVER);
    if (!isValidSscc(digits)) return (ctx.addIssue({ code: 'custom', message: `SSCC ${digits} has a wrong check digit` }), z.NEVER);
    return digits;
  });

const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), s.optional());

export const ReceiptLineSchema = z
  .object({
    lineId: optional(codeField('line')),
    sku: optional(codeField('SKU')),
    gtin: optional(gtinField('GTIN')),
    expectedQty: wholeField('expected quantity', 1, MAX_QTY, true),
  })
  .refine((l) => l.sku !== undefined || l.gtin !== undefined, { message: 'a line needs a SKU or a GTIN' });

export const ReceiptRecordSchema = z.object({
  id: codeField('receipt'),
  supplier: textField('supplier', 120),
  dock: codeField('dock'),
  ssccs: z.array(ssccField).max(MAX_PALLETS, `at most ${MAX_PALLETS} pallets per receipt`).optional().default([]),
  lines: z.array(ReceiptLineSchema).min(1, 'a receipt needs at least one line').max(MAX_RECEIPT_LINES, `at most ${MAX_RECEIPT_LINES} lines per receipt`),
});
export type ReceiptInput = z.output<typeof ReceiptRecordSchema>;
/** A checked receipt: every line has an id (its position when the file gave none). */
export type ReceiptRecord = Omit<ReceiptInput, 'lines'> & { lines: { lineId: string; sku?: string; gtin?: string; expectedQty: number }[] };

export const RECEIPT_COLUMNS: readonly ColumnSpec[] = [
  { field: 'receipt', aliases: ['receipt id', 'asn', 'asn id', 'shipment', 'delivery'], required: true },
  { field: 'supplier', aliases: ['vendor', 'supplier name'], required: true },
  { field: 'dock', aliases: ['door', 'dock door'], required: true },
  { field: 'line', aliases: ['line id', 'line no', 'position'] },
  { field: 'sku', aliases: ['item', 'article'] },
  { field: 'gtin', aliases: ['ean', 'barcode'] },
  { field: 'qty', aliases: ['quantity', 'expected qty', 'expected quantity', 'units'], required: true },
  { field: 'sscc', aliases: ['pallet', 'pallet sscc', 'sscc18'] },
];
export const RECEIPT_EXPORT_FIELDS = ['receipt', 'supplier', 'dock', 'line', 'sku', 'gtin', 'qty', 'sscc'] as const;

/** Gives each line without an id its position (1, 2...), and reports a line id used twice. */
function numberLines(line: number, r: ReceiptInput, errors: LineError[]): ReceiptRecord | undefined {
  const seen = new Set<string>();
  const lines: ReceiptRecord['lines'] = [];
  r.lines.forEach((l, i) => {
    const lineId = l.lineId ?? String(i + 1);
    if (seen.has(lineId)) errors.push({ line, message: `receipt ${r.id} has line ${lineId} twice` });
    seen.add(lineId);
    lines.push({ lineId, expectedQty: l.expectedQty, ...(l.sku ? { sku: l.sku } : {}), ...(l.gtin ? { gtin: l.gtin } : {}) });
  });
  return seen.size === lines.length ? { ...r, ssccs: [...new Set(r.ssccs)], lines } : undefined;
}

/** Checks receipts given as JSON (one item per receipt). */
export function checkReceipts(items: readonly { line: number; value: unknown }[]): Checked<ReceiptRecord> {
  const each = checkEach(items, ReceiptRecordSchema);
  const errors = [...each.errors];
  const seen = new Map<string, number>();
  const records: Checked<ReceiptRecord>['records'] = [];
  for (const { line, record } of each.records) {
    const first = seen.get(record.id);
    if (first !== undefined) {
      errors.push({ line, message: `receipt ${record.id} is already on line ${first}` });
      continue;
    }
    seen.set(record.id, line);
    const numbered = numberLines(line, record, errors);
    if (numbered) records.push({ line, record: numbered });
  }
  return { records, errors: errors.sort((a, b) => a.line - b.line) };
}

/**
 * Parses and checks an ASN CSV: lines are grouped by receipt id; a line whose supplier or dock
 * differs from its receipt's first line is an error, and so is every line of a receipt with one.
 */
export function readReceiptsCsv(text: string): CheckedFile<ReceiptRecord> {
  const table = parseCsv(text, RECEIPT_COLUMNS);
  const errors: LineError[] = [...table.errors];
  const groups = new Map<
    string,
    { line: number; head: Record<string, string>; lines: Record<string, unknown>[]; ssccs: string[]; ssccLines: number[]; lineNos: number[] }
  >();
  for (const row of table.rows) {
    const c = row.cells;
    const id = c.receipt ?? '';
    const g = groups.get(id) ?? { line: row.line, head: c, lines: [], ssccs: [], ssccLines: [], lineNos: [] };
    if (!groups.has(id)) groups.set(id, g);
    if ((c.supplier ?? '') !== (g.head.supplier ?? '') || (c.dock ?? '') !== (g.head.dock ?? '')) {
      errors.push({
        line: row.line,
        message: `receipt ${id} has supplier ${shown(g.head.supplier)} and dock ${shown(g.head.dock)} on line ${g.line}; this line says otherwise`,
      });
      continue;
    }
    if (c.sscc) {
      g.ssccs.push(c.sscc);
      g.ssccLines.push(row.line);
    }
    // A line with a pallet but no quantity only names the pallet.
    if (c.sscc && !c.qty && !c.sku && !c.gtin) continue;
    g.lines.push({ lineId: c.line, sku: c.sku, gtin: c.gtin, expectedQty: c.qty });
    g.lineNos.push(row.line);
  }
  // Each receipt line checked on the file line it came from.
  const records: Checked<ReceiptRecord>['records'] = [];
  for (const [id, g] of groups) {
    const value = { id, supplier: g.head.supplier, dock: g.head.dock, ssccs: g.ssccs, lines: g.lines };
    const r = ReceiptRecordSchema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const i = typeof issue.path[1] === 'number' ? issue.path[1] : -1;
        const at = (issue.path[0] === 'lines' ? g.lineNos[i] : issue.path[0] === 'ssccs' ? g.ssccLines[i] : undefined) ?? g.line;
        errors.push({ line: at, message: issue.message });
      }
      continue;
    }
    if (errors.some((e) => g.lineNos.includes(e.line) || g.ssccLines.includes(e.line))) continue;
    const numbered = numberLines(g.line, r.data, errors);
    if (numbered) records.push({ line: g.line, record: numbered });
  }
  return { records, errors: errors.sort((a, b) => a.line - b.line), lines: table.rows.length, unknownColumns: table.unknownColumns };
}

/** A receipt as export lines: one per receipt line, its pallets on the first lines. */
export function receiptRows(r: ReceiptRecord): Record<string, string>[] {
  const n = Math.max(r.lines.length, r.ssccs.length);
  const rows: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) {
    const l = r.lines[i];
    rows.push({
      receipt: r.id,
      supplier: r.supplier,
      dock: r.dock,
      line: l?.lineId ?? '',
      sku: l?.sku ?? '',
      gtin: l?.gtin ?? '',
      qty: l ? String(l.expectedQty) : '',
      sscc: r.ssccs[i] ?? '',
    });
  }
  return rows;
}
