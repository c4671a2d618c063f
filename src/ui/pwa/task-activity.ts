import { useEffect } from 'react';
import { create } from 'zustand';

/**
 * Which tasks are in progress right now. An update is never applied while one is: a
 * worker in the middle of a pick is not reloaded under their hands. Screens say so with
 * `useTaskInProgress(true)`; plain code with `beginTask()`.
 */
type TaskActivity = { active: ReadonlySet<symbol> };

export const useTaskActivity = create<TaskActivity>(() => ({ active: new Set<symbol>() }));

/** Marks a task in progress until the returned function is called (idempotent). */
export function beginTask(): () => void {
  const token = Symbol('task');
  useTaskActivity.setState((s) => ({ active: new Set(s.active).add(token) }));
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    useTaskActivity.setState((s) => {
      const next = new Set(s.active);
      next.delete(token);
      return { active: next };
    });
  };
}

/** Whether any task is in progress. */
export const isTaskActive = (): boolean => useTaskActivity.getState().active.size > 0;

/** React: holds off updates while `inProgress` is true and the calling screen is mounted. */
export function useTaskInProgress(inProgress: boolean): void {
  useEffect(() => (inProgress ? beginTask() : undefined), [inProgress]);
}

/** React: whether any task is in progress. */
export const useAnyTaskActive = (): boolean => useTaskActivity((s) => s.active.size > 0);
