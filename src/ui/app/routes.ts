/**
 * Each screen has its own address (browser history): Android's Back goes back a screen,
 * and a reload returns to the same screen. Ids are path segments, encoded.
 */
import { useLocation } from 'wouter';

const seg = encodeURIComponent;

export const paths = {
  home: '/',
  pickLists: '/pick',
  pick: (id: string) => `/pick/${seg(id)}`,
  countTasks: '/count',
  count: (id: string) => `/count/${seg(id)}`,
  /** A count the counter starts at a bin of their choosing (no task from the API). */
  countBin: (bin: string) => `/count/bin/${seg(bin)}`,
  receipts: '/receive',
  receive: (id: string, sscc?: string | null) => `/receive/${seg(id)}${sscc ? `?pallet=${seg(sscc)}` : ''}`,
  qc: '/qc',
  returns: '/returns',
  decisions: '/decisions',
  exceptions: '/exceptions',
  sync: '/sync',
  scanner: '/scanner',
  backOffice: '/back-office',
  control: (page?: string) => (page ? `/control/${seg(page)}` : '/control'),
} as const;

/** A path segment as the screen reads it (the router leaves %2F and the like encoded). */
export function segment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Moves to another screen, as a new history entry (or replacing this one). */
export function useGo(): (path: string, opts?: { replace?: boolean }) => void {
  const [, navigate] = useLocation();
  return navigate;
}
