/**
 * The screens' words through i18next: English built in (the domain's feedback catalog and
 * the screens' words), other languages loaded when a user picks one. The language is per
 * user and remembered on the device (settings table, `language:<user>`).
 */
import i18next from 'i18next';
import { useMemo, useSyncExternalStore } from 'react';
import { getSetting, putSetting } from '../../device/db-rows.ts';
import type { FloorDb } from '../../device/db.ts';
import { FEEDBACK_EN, type FeedbackCode, type FeedbackParams } from '../../domain/workflows/messages.ts';
import { UI_EN, type UiKey } from './ui-en.ts';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const i18n = i18next.createInstance();
void i18n.init({
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false,
  // Codes contain dots: they are whole keys, not paths.
  keySeparator: false,
  nsSeparator: false,
  // React escapes what it renders.
  interpolation: { escapeValue: false },
  resources: { en: { translation: { ...FEEDBACK_EN, ...UI_EN } } },
});

const isLanguage = (l: unknown): l is Language => LANGUAGES.some((x) => x.code === l);

/** Switches the screens' language, loading its words first. */
export async function switchLanguage(lng: Language): Promise<void> {
  if (lng !== 'en' && !i18n.hasResourceBundle(lng, 'translation')) {
    const { DE } = await import('./de.ts');
    i18n.addResourceBundle('de', 'translation', DE);
  }
  await i18n.changeLanguage(lng);
  document.documentElement.lang = lng;
}

/** Where a user's language is kept in the device's settings table. */
export const languageKey = (userId: string) => `language:${userId}`;

/** Switches to a stored language setting (English when unset or unknown). */
export async function applyLanguage(stored: unknown): Promise<void> {
  await switchLanguage(isLanguage(stored) ? stored : 'en');
}

/** The language this user picked on this device (English until they pick one). */
export async function applyUserLanguage(db: FloorDb, userId: string): Promise<void> {
  await applyLanguage(await getSetting<unknown>(db, languageKey(userId), 'en'));
}

/** Remembers a user's language on this device and switches to it. */
export async function chooseLanguage(db: FloorDb, userId: string, lng: Language): Promise<void> {
  await putSetting(db, languageKey(userId), lng);
  await switchLanguage(lng);
}

const subscribe = (fn: () => void) => {
  i18n.on('languageChanged', fn);
  return () => i18n.off('languageChanged', fn);
};

/** Resolves `@code` parameters (a scan kind, a condition) into words first. */
function resolveParams(t: (key: string, params: FeedbackParams) => string, params: FeedbackParams): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'string' && v.startsWith('@') ? t(v.slice(1), params) : v;
  return out;
}

export type Translate = (key: UiKey | FeedbackCode, params?: FeedbackParams) => string;

/** The translate function of the current language; the component re-renders when it changes. */
export function useT(): { t: Translate; language: Language } {
  const language = useSyncExternalStore(subscribe, () => i18n.language);
  const t = useMemo<Translate>(() => {
    const fixed = i18n.getFixedT(language);
    const plain = (key: string, params: FeedbackParams) => fixed(key, params);
    return (key, params = {}) => fixed(key, resolveParams(plain, params));
  }, [language]);
  return { t, language: isLanguage(language) ? language : 'en' };
}
