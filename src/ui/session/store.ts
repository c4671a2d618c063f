/**
 * Short-lived session state: who is signed in (mirrored from the durable session in the
 * device database), which screen is shown, and the last feedback. Nothing here must
 * survive a reload: a reload lands on the home screen of the still signed-in user.
 */
import { create } from 'zustand';
import type { User } from '../../domain/protocol.ts';
import type { Feedback } from '../../domain/workflows/common.ts';

export type Route =
  | { name: 'home' }
  | { name: 'pickLists' }
  | { name: 'pick'; pickListId: string }
  | { name: 'countTasks' }
  | { name: 'count'; taskId: string }
  | { name: 'receipts' }
  | { name: 'receive'; receiptId: string; sscc: string | null }
  | { name: 'qc' }
  | { name: 'returns' }
  | { name: 'decisions' }
  | { name: 'exceptions' }
  | { name: 'sync' }
  | { name: 'scanner' };

export type SignedIn = { user: User; token: string };

/** One feedback shown on screen; `at` tells two identical messages apart. */
export type ShownFeedback = Feedback & { at: number };

type SessionStore = {
  /** Undefined until the stored session has been read at start. */
  session: SignedIn | null | undefined;
  route: Route;
  feedback: ShownFeedback | null;
  setSession(session: SignedIn | null): void;
  go(route: Route): void;
  show(feedback: Feedback): void;
};

let shown = 0;

export const useSession = create<SessionStore>((set) => ({
  session: undefined,
  route: { name: 'home' },
  feedback: null,
  setSession: (session) => set({ session, route: { name: 'home' }, feedback: null }),
  go: (route) => set({ route, feedback: null }),
  show: (feedback) => set({ feedback: { ...feedback, at: ++shown } }),
}));

/** The signed-in user; screens behind sign-in only. */
export function useSignedIn(): SignedIn {
  const session = useSession((s) => s.session);
  if (!session) throw new Error('useSignedIn() with nobody signed in');
  return session;
}
