import { useLocation } from 'wouter';
import { paths } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { useSession } from '../session/store.ts';

/**
 * The last feedback of this screen, announced to screen readers, just above the scan bar
 * where the worker is looking; the color and the label tell its kind apart. A scanner that
 * needs setting up gets a way to its set-up page.
 */
export function FeedbackBanner() {
  const feedback = useSession((s) => s.feedback);
  const [here, navigate] = useLocation();
  const { t } = useT();
  const shown = feedback && feedback.path === here ? feedback : null;
  const setUp = shown && (shown.code === 'scan.needsSymbologyId' || shown.code === 'scan.fragment');
  return (
    <div role="status" aria-live="polite" aria-label={t('ui.feedback')} className="feedback-slot">
      {shown && (
        <p className={`feedback ${shown.tone}`} data-tone={shown.tone} data-code={shown.code} key={shown.at}>
          <span className={shown.tone === 'offline' ? 'tone-label' : 'sr-only'}>{t(`ui.tone.${shown.tone}`)}: </span>
          {[shown, ...(shown.also ?? [])].map((f) => t(f.code, f.params)).join(' · ')}
          {setUp ? (
            <>
              {' '}
              <button type="button" className="secondary inline" onClick={() => navigate(paths.scanner)}>
                {t('ui.scannerSetUp')}
              </button>
            </>
          ) : null}
        </p>
      )}
    </div>
  );
}
