/**
 * wouter imports `use-sync-external-store/shim` for React < 18; this app runs React 19, whose
 * own hook it is. The shim is CommonJS and would pull a second, development copy of React
 * into the first download (vite.config.ts aliases it here).
 */
export { useSyncExternalStore } from 'react';
