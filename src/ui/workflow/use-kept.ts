import { useState } from 'react';

/**
 * The first value a live query found, kept for the life of the screen: a task the work cache
 * drops once it is finished (a pick list, a count, a receipt) stays on the worker's screen,
 * so finishing never reads as "missing". Later values do not reset a task in progress.
 */
export function useKept<T>(value: T | null | undefined): T | null {
  const [kept, setKept] = useState<T | null>(null);
  if (value && kept === null) setKept(value);
  return kept ?? value ?? null;
}
