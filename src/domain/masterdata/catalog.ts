/**
 * The catalog as master data: a SKU, its name, the GTIN of its unit and of its cases (with the
 * units each case holds), whether lot and expiry are tracked, its reorder point and velocity class.
 * A GTIN names one SKU only, across units and cases.
 */
import { z } from 'zod';
import { MAX_QTY } from '../ids.ts';
import { parseCsv, type ColumnSpec, type LineError } from './csv.ts';
import { checkEach, choiceField, codeField, firstOfEach, flagField, gtinField, textField, wholeField, type Checked } from './fields.ts';

export const VELOCITY_CLASSES = ['A', 'B', 'C'] as const;
export type VelocityClass = (typeof VELOCITY_CLASSES)[number];
export const CATALOG_STATUSES = ['active', 'retired'] as const;

export const MAX_CASES_PER_SKU = 8;

export const CatalogRecordSchema = z.object({
  sku: codeField('SKU'),
  name: textField('name', 200),
  gtin: gtinField('GTIN'),
  cases: z
    .array(z.object({ gtin: gtinField('case GTIN'), units: wholeField('units per case', 2, MAX_QTY, true) }), {
      error: 'cases must be a list of { gtin, units }',
    })
    .max(MAX_CASES_PER_SKU, `at most ${MAX_CASES_PER_SKU} case GTINs per SKU`)
    .optional()
    .default([]),
  /** Units in the SKU's standard case, also when the case has no GTIN of its own. */
  unitsPerCase: wholeField('units per case', 2, MAX_QTY, false)
    .optional()
    .transform((v) => v ?? null),
  lotTracked: flagField('lot tracked', false)
    .optional()
    .transform((v) => v ?? false),
  expiryTracked: flagField('expiry tracked', false)
    .optional()
    .transform((v) => v ?? false),
  reorderPoint: wholeField('reorder point', 0, MAX_QTY, false)
    .optional()
    .transform((v) => v ?? null),
  velocityClass: choiceField('velocity class', VELOCITY_CLASSES, null)
    .optional()
    .transform((v) => v ?? null),
  status: choiceField('status', CATALOG_STATUSES, 'active')
    .optional()
    .transform((v) => v ?? 'active'),
});
/** A checked catalog item: GTINs are GTIN-14, absent numbers are null. */
export type CatalogRecord = z.output<typeof CatalogRecordSchema>;

export const CATALOG_COLUMNS: readonly ColumnSpec[] = [
  { field: 'sku', aliases: ['item', 'item number', 'item no', 'article', 'article number', 'product code', 'sku code'], required: true },
  { field: 'name', aliases: ['description', 'product name', 'item name', 'title'], required: true },
  { field: 'gtin', aliases: ['unit gtin', 'ean', 'ean13', 'upc', 'barcode', 'gtin13'], required: true },
  { field: 'case_gtin', aliases: ['case barcode', 'outer gtin', 'itf14', 'case ean'] },
  { field: 'units_per_case', aliases: ['case qty', 'case quantity', 'pack size', 'units per carton'] },
  { field: 'case_gtins', aliases: ['cases'] },
  { field: 'lot_tracked', aliases: ['lot', 'batch tracked', 'lot controlled'] },
  { field: 'expiry_tracked', aliases: ['expiry', 'best before', 'shelf life tracked', 'expiry controlled'] },
  { field: 'reorder_point', aliases: ['reorder level', 'min stock', 'minimum'] },
  { field: 'velocity_class', aliases: ['velocity', 'abc', 'abc class'] },
  { field: 'status', aliases: ['state'] },
];

/** The export's columns, in order: what the import reads back unchanged. */
export const CATALOG_EXPORT_FIELDS = [
  'sku',
  'name',
  'gtin',
  'units_per_case',
  'case_gtins',
  'lot_tracked',
  'expiry_tracked',
  'reorder_point',
  'velocity_class',
  'status',
] as const;

/** `gtin:units|gtin:units`: a SKU's case GTINs in one cell. */
export const formatCases = (cases: readonly { gtin: string; units: number }[]): string => cases.map((c) => `${c.gtin}:${c.units}`).join('|');

/** A CSV line as the JSON item it stands for (unchecked). */
export function catalogItemOfCells(c: Record<string, string>): Record<string, unknown> {
  const cases: unknown[] = [];
  if (c.case_gtin) cases.push({ gtin: c.case_gtin, units: c.units_per_case ?? '' });
  for (const part of (c.case_gtins ?? '')
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^:x*\s]+)\s*[:x*]\s*(.+)$/.exec(part);
    cases.push(m ? { gtin: m[1], units: m[2] } : { gtin: part, units: '' });
  }
  return {
    sku: c.sku,
    name: c.name,
    gtin: c.gtin,
    cases,
    unitsPerCase: c.units_per_case,
    lotTracked: c.lot_tracked,
    expiryTracked: c.expiry_tracked,
    reorderPoint: c.reorder_point,
    velocityClass: c.velocity_class,
    status: c.status,
  };
}

/**
 * Checks catalog items (from a file's lines or a JSON list): each on its own, then across the
 * file: a SKU once, a GTIN once (a unit GTIN of one line cannot be a case GTIN of another).
 */
export function checkCatalog(items: readonly { line: number; value: unknown }[]): Checked<CatalogRecord> {
  const each = checkEach(items, CatalogRecordSchema);
  const bySku = firstOfEach(
    each,
    (r) => r.sku,
    (r) => `SKU ${r.sku}`,
  );
  const owner = new Map<string, { line: number; sku: string }>();
  const errors: LineError[] = [...bySku.errors];
  const records: Checked<CatalogRecord>['records'] = [];
  for (const item of bySku.records) {
    const r = item.record;
    let bad = false;
    const gtins = [r.gtin, ...r.cases.map((c) => c.gtin)];
    gtins.forEach((g, i) => {
      if (gtins.indexOf(g) !== i) {
        errors.push({ line: item.line, message: `GTIN ${g} is given twice for ${r.sku}` });
        bad = true;
        return;
      }
      const first = owner.get(g);
      if (first) {
        errors.push({ line: item.line, message: `GTIN ${g} already belongs to ${first.sku} on line ${first.line}; a GTIN names one SKU only` });
        bad = true;
      }
    });
    if (bad) continue;
    for (const g of gtins) owner.set(g, { line: item.line, sku: r.sku });
    records.push(item);
  }
  return { records, errors: errors.sort((a, b) => a.line - b.line) };
}

/** A checked file: its records, its line errors and the columns it had that the catalog does not know. */
export type CheckedFile<R> = Checked<R> & { lines: number; unknownColumns: string[] };

/** Parses and checks a catalog CSV. */
export function readCatalogCsv(text: string): CheckedFile<CatalogRecord> {
  const table = parseCsv(text, CATALOG_COLUMNS);
  const checked = checkCatalog(table.rows.map((r) => ({ line: r.line, value: catalogItemOfCells(r.cells) })));
  return {
    ...checked,
    errors: [...table.errors, ...checked.errors].sort((a, b) => a.line - b.line),
    lines: table.rows.length,
    unknownColumns: table.unknownColumns,
  };
}

/** A record as the export's CSV line. */
export function catalogCells(r: CatalogRecord): Record<string, string> {
  return {
    sku: r.sku,
    name: r.name,
    gtin: r.gtin,
    units_per_case: r.unitsPerCase === null ? '' : String(r.unitsPerCase),
    case_gtins: formatCases(r.cases),
    lot_tracked: r.lotTracked ? 'yes' : 'no',
    expiry_tracked: r.expiryTracked ? 'yes' : 'no',
    reorder_point: r.reorderPoint === null ? '' : String(r.reorderPoint),
    velocity_class: r.velocityClass ?? '',
    status: r.status,
  };
}

/** True when two records say the same thing (cases in any order). */
export function sameCatalogRecord(a: CatalogRecord, b: CatalogRecord): boolean {
  const cases = (r: CatalogRecord) => formatCases([...r.cases].sort((x, y) => (x.gtin < y.gtin ? -1 : 1)));
  return (
    a.sku === b.sku &&
    a.name === b.name &&
    a.gtin === b.gtin &&
    cases(a) === cases(b) &&
    a.unitsPerCase === b.unitsPerCase &&
    a.lotTracked === b.lotTracked &&
    a.expiryTracked === b.expiryTracked &&
    a.reorderPoint === b.reorderPoint &&
    a.velocityClass === b.velocityClass &&
    a.status === b.status
  );
}
