/**
 * Sync UI for the app shell.
 * - `<SyncBadge db engine onOpen? />`: always-visible pending / offline / needs-attention badge.
 * - `<SyncStatusScreen db engine user? onSignIn? storage? />`: the status screen's content.
 * - hooks: `useSyncStatus`, `usePendingSummary`, `useRejected`, `useLastDelivery`, `useStorageHealth`.
 */
export { SyncBadge, type SyncBadgeProps } from './SyncBadge.tsx';
export { SyncStatusScreen, type SyncStatusScreenProps } from './SyncStatusScreen.tsx';
export { useSyncStatus, usePendingSummary, useRejected, useLastDelivery, useStorageHealth, engineAttention, formatAge, formatBytes } from './use-sync.ts';
