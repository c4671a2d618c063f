/**
 * The screens' words: English built in (the domain's feedback catalog and the screens'
 * words), other languages loaded when a user picks one. Templates render by the domain's
 * one rule (`renderTemplate`: `{{name}}` parameters, `@code` parameters in words first);
 * a word a language lacks falls back to English, an unknown code shows as itself. The
 * language is per user and remembered on the device (settings table, `language:<user>`).
 *
 * No i18n library: flat codes, one interpolation rule and a lazy catalog per language are
 * all the screens use, and the library was an eighth of the first download.
 */
import { useMemo, useSyncExternalStore } from 'react';
import { getSetting, putSetting, type FloorDb } from '../../device/db.ts';
import { FEEDBACK_EN, renderTemplate, type FeedbackCode, type FeedbackParams } from '../../domain/workflows/messages.ts';
import { UI_EN, type UiKey } from './ui-en.ts';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

type Catalog = Readonly<Record<string, string>>;

const ENGLISH: Catalog = { ...FEEDBACK_EN, ...UI_EN };
/** Languages other than English, each loaded on first use. */
const LOADERS: Record<Exclude<Language, 'en'>, () => Promise<Catalog>> = {
  de: () => import('./de.ts').then((m) => m.DE),
};
const catalogs = new Map<Language, Catalog>([['en', ENGLISH]]);
let current: Language = 'en';
const listeners = new Set<() => void>();

const isLanguage = (l: unknown): l is Language => LANGUAGES.some((x) => x.code === l);

/** Switches the screens' language, loading its words first. */
export async function switchLanguage(lng: Language): Promise<void> {
  if (!catalogs.has(lng) && lng !== 'en') catalogs.set(lng, await LOADERS[lng]());
  document.documentElement.lang = lng;
  if (lng === current) return;
  current = lng;
  for (const l of [...listeners]) l();
}

const settingKey = (userId: string) => `language:${userId}`;

/** The language this user picked on this device (English until they pick one). */
export async function applyUserLanguage(db: FloorDb, userId: string): Promise<void> {
  const stored = await getSetting<unknown>(db, settingKey(userId), 'en');
  await switchLanguage(isLanguage(stored) ? stored : 'en');
}

/** Remembers a user's language on this device and switches to it. */
export async function chooseLanguage(db: FloorDb, userId: string, lng: Language): Promise<void> {
  await putSetting(db, settingKey(userId), lng);
  await switchLanguage(lng);
}

const subscribe = (fn: () => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

/** The words of a code in a language, English where that language lacks it, else the code itself. */
function translator(lng: Language): (code: string, params: FeedbackParams) => string {
  const words = catalogs.get(lng) ?? ENGLISH;
  const lookup = (code: string, params: FeedbackParams): string => {
    const template = words[code] ?? ENGLISH[code];
    return template === undefined ? code : renderTemplate(template, params, lookup);
  };
  return lookup;
}

export type Translate = (key: UiKey | FeedbackCode, params?: FeedbackParams) => string;

/** The translate function of the current language; the component re-renders when it changes. */
export function useT(): { t: Translate; language: Language } {
  const language = useSyncExternalStore(subscribe, () => current);
  const t = useMemo<Translate>(() => {
    const render = translator(language);
    return (key, params = {}) => render(key, params);
  }, [language]);
  return { t, language };
}
