/**
 * Records what one workflow step produced: all of its events in one transaction of the event
 * log, so a step (e.g. "fewer here": the found units held and the rest short) is stored whole
 * or not at all, and its feedback as the worker should hear it.
 */
import type { FloorDb, StoredEvent } from '../../device/db.ts';
import { appendEvent, StorageError } from '../../device/event-log.ts';
import type { DraftEvent } from '../../domain/events.ts';
import { forConnectivity, say, type Feedback } from '../../domain/workflows/common.ts';
import type { Shown } from '../session/store.ts';

export type Recorded = { ok: true; stored: StoredEvent[] } | { ok: false; feedback: Feedback };

/** Appends a step's events atomically; on failure nothing is stored and the feedback says so. */
export async function recordEvents(db: FloorDb, events: readonly DraftEvent[], ctx: { actor: string; now: Date }): Promise<Recorded> {
  if (events.length === 0) return { ok: true, stored: [] };
  try {
    const stored = await db.transaction('rw', db.events, db.meta, async () => {
      const out: StoredEvent[] = [];
      for (const draft of events) out.push(await appendEvent(db, draft, ctx));
      return out;
    });
    return { ok: true, stored };
  } catch (err) {
    // A storage failure says itself what went wrong; anything else (a refused event) by its message.
    const why = err instanceof StorageError ? err.why : err instanceof Error ? err.message : String(err);
    return { ok: false, feedback: say('wrong', 'scan.notSaved', { why }) };
  }
}

/**
 * What the worker is told for a step: one line (several joined), in the tone of the
 * outcome; a refusal among them wins, so a mixed step never sounds like plain success.
 */
export function announce(feedback: readonly Feedback[], online: boolean): Shown | null {
  const shown = forConnectivity(feedback, online);
  const [first, ...rest] = shown;
  const last = shown[shown.length - 1];
  if (!first || !last) return null;
  const tone = shown.find((f) => f.tone === 'wrong')?.tone ?? last.tone;
  return { tone, code: first.code, params: first.params, ...(rest.length ? { also: rest.map((f) => ({ code: f.code, params: f.params })) } : {}) };
}
