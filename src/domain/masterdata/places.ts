/**
 * Sites (warehouse buildings) and their locations: bins, docks, QC areas and returns areas,
 * each active or not. A location belongs to one site.
 */
import { z } from 'zod';
import { parseCsv, type ColumnSpec } from './csv.ts';
import type { CheckedFile } from './catalog.ts';
import { checkEach, choiceField, codeField, firstOfEach, flagField, textField, type Checked } from './fields.ts';

export const MASTER_LOCATION_KINDS = ['bin', 'dock', 'qc', 'returns'] as const;
export type MasterLocationKind = (typeof MASTER_LOCATION_KINDS)[number];
/** The site every location belongs to unless a file says otherwise. */
export const DEFAULT_SITE = 'main';

export const SiteRecordSchema = z.object({
  id: codeField('site'),
  name: textField('site name', 120),
  active: flagField('active', true)
    .optional()
    .transform((v) => v ?? true),
});
export type SiteRecord = z.output<typeof SiteRecordSchema>;

export const LocationRecordSchema = z.object({
  id: codeField('location'),
  kind: choiceField('kind', MASTER_LOCATION_KINDS, 'bin')
    .optional()
    .transform((v) => v ?? 'bin'),
  site: codeField('site', DEFAULT_SITE),
  active: flagField('active', true)
    .optional()
    .transform((v) => v ?? true),
});
export type LocationRecord = z.output<typeof LocationRecordSchema>;

export const SITE_COLUMNS: readonly ColumnSpec[] = [
  { field: 'id', aliases: ['site', 'site id', 'code', 'warehouse'], required: true },
  { field: 'name', aliases: ['site name', 'description'], required: true },
  { field: 'active', aliases: ['enabled'] },
];
export const LOCATION_COLUMNS: readonly ColumnSpec[] = [
  { field: 'id', aliases: ['location', 'location id', 'bin', 'bin code', 'code', 'slot'], required: true },
  { field: 'kind', aliases: ['type', 'location type'] },
  { field: 'site', aliases: ['site id', 'warehouse', 'building'] },
  { field: 'active', aliases: ['enabled'] },
];
export const SITE_EXPORT_FIELDS = ['id', 'name', 'active'] as const;
export const LOCATION_EXPORT_FIELDS = ['id', 'kind', 'site', 'active'] as const;

/** Checks sites: each on its own, an id once. */
export const checkSites = (items: readonly { line: number; value: unknown }[]): Checked<SiteRecord> =>
  firstOfEach(
    checkEach(items, SiteRecordSchema),
    (r) => r.id.toLowerCase(),
    (r) => `site ${r.id}`,
  );

/** Checks locations: each on its own, an id once (ids are case-sensitive on the floor, but A-01 and a-01 on one map is a typo). */
export const checkLocations = (items: readonly { line: number; value: unknown }[]): Checked<LocationRecord> =>
  firstOfEach(
    checkEach(items, LocationRecordSchema),
    (r) => r.id.toLowerCase(),
    (r) => `location ${r.id}`,
  );

const read = <R>(text: string, columns: readonly ColumnSpec[], check: (items: { line: number; value: unknown }[]) => Checked<R>): CheckedFile<R> => {
  const table = parseCsv(text, columns);
  const checked = check(table.rows.map((r) => ({ line: r.line, value: r.cells })));
  return {
    ...checked,
    errors: [...table.errors, ...checked.errors].sort((a, b) => a.line - b.line),
    lines: table.rows.length,
    unknownColumns: table.unknownColumns,
  };
};

/** Parses and checks a sites CSV. */
export const readSitesCsv = (text: string): CheckedFile<SiteRecord> => read(text, SITE_COLUMNS, checkSites);
/** Parses and checks a bin map (locations CSV). */
export const readLocationsCsv = (text: string): CheckedFile<LocationRecord> => read(text, LOCATION_COLUMNS, checkLocations);

export const siteCells = (r: SiteRecord): Record<string, string> => ({ id: r.id, name: r.name, active: r.active ? 'yes' : 'no' });
export const locationCells = (r: LocationRecord): Record<string, string> => ({ id: r.id, kind: r.kind, site: r.site, active: r.active ? 'yes' : 'no' });
export const sameSite = (a: SiteRecord, b: SiteRecord): boolean => a.id === b.id && a.name === b.name && a.active === b.active;
export const sameLocation = (a: LocationRecord, b: LocationRecord): boolean => a.id === b.id && a.kind === b.kind && a.site === b.site && a.active === b.active;
