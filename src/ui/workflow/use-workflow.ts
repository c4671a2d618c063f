/**
 * Runs a workflow reducer on a screen: each input goes through the reducer, its events are
 * appended to the event log (all of one step in one transaction, so a step is recorded whole
 * or not at all), and only then does the screen move on and the feedback sound. A failed
 * write keeps the previous state and says the scan was NOT saved. Inputs that arrive before
 * the screen's context has loaded (`ready` false: the catalog is still being read) wait in
 * the queue and are judged once it has: held, never refused for "unknown", never dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoredEvent } from '../../device/db.ts';
import type { Step } from '../../domain/workflows/common.ts';
import { useDevice } from '../app/device.ts';
import { playFeedback } from '../feedback/sound.ts';
import { useSession, useSignedIn } from '../session/store.ts';
import { announce, recordEvents } from './record-step.ts';

export type WorkflowHandle<S, I> = {
  state: S;
  /** Queues an input; inputs are applied one at a time, in order. */
  dispatch(input: I): Promise<void>;
};

export type WorkflowOptions<I> = {
  /** False while the context the reducer reads (catalog, locations) is still loading. */
  ready?: boolean;
  /** Told which events were stored for a step: e.g. a pick learns the ids it may undo. */
  afterStore?: (events: StoredEvent[]) => I | undefined;
};

export function useWorkflow<S, I>(
  initial: () => S,
  step: (state: S, input: I) => Step<S>,
  { ready = true, afterStore }: WorkflowOptions<I> = {},
): WorkflowHandle<S, I> {
  const { db } = useDevice();
  const { user } = useSignedIn();
  const show = useSession((s) => s.show);
  const [state, setState] = useState<S>(initial);
  const current = useRef<S>(state);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const stepRef = useRef(step);
  const afterRef = useRef(afterStore);
  const readyRef = useRef(ready);
  const waiting = useRef<(() => void)[]>([]);
  // The reducer closes over live context (catalog, locations): always run the latest one.
  // Declared before the ready effect, so a queued input runs with the loaded context.
  useEffect(() => {
    stepRef.current = step;
    afterRef.current = afterStore;
  });
  useEffect(() => {
    readyRef.current = ready;
    if (ready) for (const wake of waiting.current.splice(0)) wake();
  }, [ready]);

  const dispatch = useCallback(
    (input: I) => {
      const run = async () => {
        if (!readyRef.current) await new Promise<void>((wake) => waiting.current.push(wake));
        const result = stepRef.current(current.current, input);
        const recorded = await recordEvents(db, result.events, { actor: user.id, now: new Date() });
        if (!recorded.ok) {
          show(recorded.feedback);
          playFeedback(recorded.feedback.tone);
          return;
        }
        let next = result.state;
        const follow = recorded.stored.length > 0 ? afterRef.current?.(recorded.stored) : undefined;
        if (follow !== undefined) next = stepRef.current(next, follow).state;
        current.current = next;
        setState(next);
        const told = announce(result.feedback, navigator.onLine);
        if (told) {
          show(told);
          playFeedback(told.tone);
        }
      };
      queue.current = queue.current.then(run, run);
      return queue.current;
    },
    [db, user.id, show],
  );

  return { state, dispatch };
}
