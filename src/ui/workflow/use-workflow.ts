/**
 * Runs a workflow reducer on a screen: each input goes through the reducer, its events are
 * appended to the event log (all of one step in one transaction, so a step is recorded whole
 * or not at all), and only then does the screen move on and the feedback sound. A failed
 * write keeps the previous state and says the scan was NOT saved.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoredEvent } from '../../device/db.ts';
import { appendEvent } from '../../device/event-log.ts';
import { forConnectivity, type Step } from '../../domain/workflows/common.ts';
import { useDevice } from '../app/device.ts';
import { playFeedback } from '../feedback/sound.ts';
import { useSession, useSignedIn } from '../session/store.ts';

export type WorkflowHandle<S, I> = {
  state: S;
  /** Queues an input; inputs are applied one at a time, in order. */
  dispatch(input: I): Promise<void>;
};

export function useWorkflow<S, I>(
  initial: () => S,
  step: (state: S, input: I) => Step<S>,
  /** Told which events were stored for a step: e.g. a pick learns the ids it may undo. */
  afterStore?: (events: StoredEvent[]) => I | undefined,
): WorkflowHandle<S, I> {
  const { db } = useDevice();
  const { user } = useSignedIn();
  const show = useSession((s) => s.show);
  const [state, setState] = useState<S>(initial);
  const current = useRef<S>(state);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const stepRef = useRef(step);
  const afterRef = useRef(afterStore);
  // The reducer closes over live context (catalog, locations): always run the latest one.
  useEffect(() => {
    stepRef.current = step;
    afterRef.current = afterStore;
  });

  const dispatch = useCallback(
    (input: I) => {
      const run = async () => {
        const result = stepRef.current(current.current, input);
        let stored: StoredEvent[] = [];
        if (result.events.length > 0) {
          try {
            const now = new Date();
            stored = await db.transaction('rw', db.events, db.meta, async () => {
              const out: StoredEvent[] = [];
              for (const draft of result.events) out.push(await appendEvent(db, draft, { actor: user.id, now }));
              return out;
            });
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            show({ tone: 'wrong', message: message.startsWith('This scan was NOT saved') ? message : `This scan was NOT saved: ${message}` });
            playFeedback('wrong');
            return;
          }
        }
        let next = result.state;
        const follow = stored.length > 0 ? afterRef.current?.(stored) : undefined;
        if (follow !== undefined) next = stepRef.current(next, follow).state;
        current.current = next;
        setState(next);
        const feedback = forConnectivity(result.feedback, navigator.onLine);
        const last = feedback[feedback.length - 1];
        if (last) {
          show(feedback.length > 1 ? { tone: last.tone, message: feedback.map((f) => f.message).join(' · ') } : last);
          playFeedback(feedback.some((f) => f.tone === 'wrong') ? 'wrong' : last.tone);
        }
      };
      queue.current = queue.current.then(run, run);
      return queue.current;
    },
    [db, user.id, show],
  );

  return { state, dispatch };
}
