import { useSession } from '../session/store.ts';

const TONE_LABEL = { accepted: 'OK', wrong: 'Wrong', duplicate: 'Already done', offline: 'Saved offline', supervisor: 'Supervisor' } as const;

/** The last feedback, announced to screen readers; the color and label tell its kind apart. */
export function FeedbackBanner() {
  const feedback = useSession((s) => s.feedback);
  return (
    <div role="status" aria-live="polite" aria-label="Feedback">
      {feedback && (
        <p className={`feedback ${feedback.tone}`} data-tone={feedback.tone} key={feedback.at}>
          <span className="sr-only">{TONE_LABEL[feedback.tone]}: </span>
          {feedback.message}
        </p>
      )}
    </div>
  );
}
