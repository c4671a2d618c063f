/** Master data rules: pure validation of catalog, sites, locations, users and expected receipts, and CSV in and out. */
export * from './csv.ts';
export * from './fields.ts';
export * from './catalog.ts';
export * from './places.ts';
export * from './people.ts';
export * from './receipts.ts';
export * from './plan.ts';
