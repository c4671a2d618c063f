import { useEffect, useState } from 'react';
import { noteStyle } from './styles.ts';

/** Warn when the device has used this much of the storage the browser grants. */
const LOW_QUOTA_RATIO = 0.9;

type StorageState = { persisted: boolean | null; usageRatio: number | null };

/**
 * Asks the browser to keep this app's data (scans not yet sent live in IndexedDB) out of
 * eviction, and warns when space runs low, before a scan is refused for lack of it.
 */
export function StorageNote() {
  const [state, setState] = useState<StorageState>({ persisted: null, usageRatio: null });

  useEffect(() => {
    const storage = navigator.storage as StorageManager | undefined;
    if (!storage) return;
    let cancelled = false;
    void (async () => {
      const persisted = (await storage.persisted?.()) || ((await storage.persist?.()) ?? false);
      const estimate = await storage.estimate?.();
      const usageRatio = estimate?.quota ? (estimate.usage ?? 0) / estimate.quota : null;
      if (!cancelled) setState({ persisted, usageRatio });
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  if (state.usageRatio === null || state.usageRatio < LOW_QUOTA_RATIO) return null;
  return (
    <p role="alert" style={noteStyle}>
      <strong>Storage almost full</strong> ({Math.round(state.usageRatio * 100)}% used). Connect to the network so
      waiting scans are sent, and free space on this device.
    </p>
  );
}
