/**
 * Time as an edge, the one interface for it: the app passes a real clock (the scan pipeline a
 * monotonic one, the sync engine wall time), tests a scripted one that decides when time passes.
 */
export type Clock = {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};
