/**
 * CSV in and out for master data, over Papa Parse: columns are found by header name (any case,
 * spaces, dashes or underscores, and the aliases each table lists), the delimiter is detected
 * (comma, semicolon, tab, pipe), a UTF-8 BOM is dropped, and every row keeps the line number of
 * the file it started on, so an error can say "line 214: ...". Pure: text in, data out.
 */
import Papa from 'papaparse';

/** A problem of one line of a file (or one item of a JSON list), said so a person can fix it. */
export type LineError = { line: number; column?: string; message: string };

/** "line 214: GTIN 4006381339990 has a wrong check digit (expected 5)". */
export const formatLineError = (e: LineError): string => `line ${e.line}: ${e.message}`;

/** A column of a table: its field name and the other header names a WMS or ERP export may use. */
export type ColumnSpec = { field: string; aliases?: readonly string[]; required?: boolean };

export type CsvRow = { line: number; cells: Record<string, string> };
export type CsvTable = {
  rows: CsvRow[];
  /** File-level problems (no header, a required column missing, too many lines) and unreadable lines. */
  errors: LineError[];
  /** Header names no column of the table matches: ignored, and shown in the preview. */
  unknownColumns: string[];
  delimiter: string;
};

/** Bounds of one file: more rows or a longer cell is refused, not truncated. */
export type CsvLimits = { maxRows: number; maxCell: number; maxColumns: number };
export const CSV_LIMITS: CsvLimits = { maxRows: 200_000, maxCell: 2_000, maxColumns: 64 };

/** Lowercase letters and digits only: "Units per case", "units_per_case" and "UNITS-PER-CASE" match. */
export const headerKey = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Parses `text` as a table of `columns`. Header line is line 1. Blank lines are skipped;
 * a line with more cells than the header is reported, never silently cut.
 */
export function parseCsv(text: string, columns: readonly ColumnSpec[], limits: CsvLimits = CSV_LIMITS): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const errors: LineError[] = [];
  const keyToField = new Map<string, string>();
  for (const c of columns) for (const name of [c.field, ...(c.aliases ?? [])]) keyToField.set(headerKey(name), c.field);

  let header: (string | undefined)[] | undefined;
  const unknownColumns: string[] = [];
  const rows: CsvRow[] = [];
  // Line numbers: count the newlines before each row's end, less those inside its quoted cells.
  let consumed = 0;
  let newlines = 0;
  let stopped = false;
  const startLineOf = (cursor: number, cells: readonly string[]): number => {
    let end = Math.min(cursor, body.length);
    if (body.charCodeAt(end - 1) === 10) end -= 1;
    for (let i = consumed; i < end; i++) if (body.charCodeAt(i) === 10) newlines += 1;
    consumed = Math.max(consumed, end);
    const inside = cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
    return newlines + 1 - inside;
  };
  const result = Papa.parse<string[]>(body, {
    delimiter: '',
    delimitersToGuess: [',', ';', '\t', '|'],
    skipEmptyLines: 'greedy',
    step: (step, parser) => {
      const cells = step.data;
      const here = startLineOf(step.meta.cursor, cells);
      for (const e of step.errors) if (e.code !== 'UndetectableDelimiter') errors.push({ line: here, message: `unreadable line: ${e.message}` });
      if (!header) {
        if (cells.length > limits.maxColumns) {
          errors.push({ line: here, message: `the header has ${cells.length} columns; at most ${limits.maxColumns}` });
          stopped = true;
          parser.abort();
          return;
        }
        const seen = new Set<string>();
        header = cells.map((h) => {
          const field = keyToField.get(headerKey(h));
          if (!field) {
            if (h.trim() !== '') unknownColumns.push(h.trim());
            return undefined;
          }
          if (seen.has(field)) errors.push({ line: here, column: field, message: `column "${h.trim()}" appears twice (both mean ${field})` });
          seen.add(field);
          return field;
        });
        for (const c of columns) {
          if (c.required && !seen.has(c.field)) errors.push({ line: here, column: c.field, message: `the header has no "${c.field}" column` });
        }
        // Without its required columns no line can be read: the file-level errors say it all.
        if (errors.length > 0) {
          stopped = true;
          parser.abort();
        }
        return;
      }
      if (rows.length >= limits.maxRows) {
        errors.push({ line: here, message: `the file has more than ${limits.maxRows} lines; split it` });
        stopped = true;
        parser.abort();
        return;
      }
      if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== '')) {
        errors.push({ line: here, message: `has ${cells.length} cells but the header has ${header.length} columns` });
        return;
      }
      const out: Record<string, string> = {};
      let tooLong: string | undefined;
      header.forEach((field, i) => {
        if (!field) return;
        const value = (cells[i] ?? '').trim();
        if (value.length > limits.maxCell) tooLong = field;
        out[field] = value;
      });
      if (tooLong) {
        errors.push({ line: here, column: tooLong, message: `${tooLong} is longer than ${limits.maxCell} characters` });
        return;
      }
      rows.push({ line: here, cells: out });
    },
  });
  if (!header && !stopped) errors.push({ line: 1, message: 'the file is empty: it needs a header line and data lines' });
  const delimiter = (result as unknown as { meta?: { delimiter?: string } } | undefined)?.meta?.delimiter ?? ',';
  return { rows, errors, unknownColumns, delimiter };
}

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one) as a formula:
 * `=HYPERLINK(...)` in a product name would become a live link in whoever opens the export.
 * Such a cell is written with a leading apostrophe, which spreadsheets show as text.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Writes a table as CSV (comma, CRLF, quoted where needed), every cell neutralised. */
export function toCsv(fields: readonly string[], rows: readonly Record<string, string | number | boolean | null | undefined>[]): string {
  const data = rows.map((r) => fields.map((f) => neutraliseCell(r[f] === null || r[f] === undefined ? '' : String(r[f]))));
  return `${Papa.unparse({ fields: [...fields], data }, { newline: '\r\n', quotes: false })}\r\n`;
}
