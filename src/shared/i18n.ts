/**
 * zh-TW first, English second. Each surface keeps its own typed catalog (`defineMessages`), with every key present in
 * both languages, and picks the language from the host: Office's `displayLanguage`, Teams' `app.locale`.
 */
export const LOCALES = ['zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each locale as the pages' `<html lang>` says it (screen readers pick their voice from it). */
export const HTML_LANG: Readonly<Record<Locale, string>> = { 'zh-TW': 'zh-Hant-TW', en: 'en' };

/**
 * The catalog language for a host language tag. Chinese of any script or region reads the zh-TW catalog (our users
 * are Taiwanese officials; a zh-CN host is rare and still reads Chinese); everything else reads English.
 */
export function pickLocale(tag: string | null | undefined): Locale {
  if (!tag) {
    return 'zh-TW';
  }
  return /^zh\b/i.test(tag.trim()) ? 'zh-TW' : 'en';
}

/** A message: a string, or a function of its parameters. */
export type Message = string | ((...args: never[]) => string);

/**
 * Declares a catalog: the zh-TW entries define the keys and their shapes, and the English ones must match them
 * exactly, so a missing or mistyped translation is a compile error.
 */
export function defineMessages<M extends Record<string, Message>>(catalog: {
  readonly 'zh-TW': M;
  readonly en: { readonly [K in keyof M]: M[K] };
}): (locale: Locale) => M {
  return (locale) => catalog[locale];
}

/** Han characters: what tells the Chinese half of a bilingual name from the English one. */
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * A name written in both languages as 「中文 / English」 (the built-in policy's, and the form agency policies follow)
 * in the page's language only; any other name as it is. A page in one language must not show a line in two.
 */
export function nameIn(name: string, locale: Locale): string {
  const parts = name.split(' / ');
  if (parts.length !== 2) {
    return name;
  }
  const zh = (parts[0] as string).trim();
  const en = (parts[1] as string).trim();
  if (!zh || !en || !HAN.test(zh) || HAN.test(en)) {
    return name;
  }
  return locale === 'zh-TW' ? zh : en;
}
