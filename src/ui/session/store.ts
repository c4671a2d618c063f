/**
 * Short-lived session state: who is signed in (mirrored from the durable session in the
 * device database) and the last feedback. Which screen is shown is the browser's address
 * (see app/routes.ts), so a reload returns to it.
 */
import { create } from 'zustand';
import type { User } from '../../domain/protocol.ts';
import type { FeedbackCode, FeedbackParams, Tone } from '../../domain/workflows/common.ts';

export type SignedIn = { user: User; token: string };

/** What the screens show: a tone with a code and its parameters, translated when shown. */
export type Shown = { tone: Tone; code: FeedbackCode; params: FeedbackParams; also?: { code: FeedbackCode; params: FeedbackParams }[] };

/** One feedback shown on screen; `at` tells two identical messages apart, `path` is the screen it belongs to. */
export type ShownFeedback = Shown & { at: number; path: string };

type SessionStore = {
  /** Undefined until the stored session has been read at start. */
  session: SignedIn | null | undefined;
  feedback: ShownFeedback | null;
  setSession(session: SignedIn | null): void;
  show(feedback: Shown): void;
};

let shown = 0;

const here = () => (typeof location === 'undefined' ? '/' : location.pathname);

export const useSession = create<SessionStore>((set) => ({
  session: undefined,
  feedback: null,
  setSession: (session) => set({ session, feedback: null }),
  show: (feedback) =>
    set({
      feedback: {
        tone: feedback.tone,
        code: feedback.code,
        params: feedback.params,
        ...(feedback.also ? { also: feedback.also } : {}),
        at: ++shown,
        path: here(),
      },
    }),
}));

/** The signed-in user; screens behind sign-in only. */
export function useSignedIn(): SignedIn {
  const session = useSession((s) => s.session);
  if (!session) throw new Error('useSignedIn() with nobody signed in');
  return session;
}
