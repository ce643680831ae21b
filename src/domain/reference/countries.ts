/**
 * Countries for passport holders' nationality (ISO 3166-1 alpha-3), with Thai and English
 * names from i18n-iso-countries instead of a hand-kept list.
 */
import countries from 'i18n-iso-countries';
import { createRequire } from 'node:module';
import type { Locale } from '../../i18n/index.js';

const require = createRequire(import.meta.url);
countries.registerLocale(require('i18n-iso-countries/langs/en.json'));
countries.registerLocale(require('i18n-iso-countries/langs/th.json'));

/** Accepts an alpha-3 or alpha-2 code, or a country name in English or Thai. */
export function findCountryCode(input: string): string | null {
  const text = input.trim();
  if (/^[a-z]{3}$/i.test(text) && countries.isValid(text.toUpperCase())) return text.toUpperCase();
  if (/^[a-z]{2}$/i.test(text) && countries.isValid(text.toUpperCase())) return countries.alpha2ToAlpha3(text.toUpperCase()) ?? null;
  return countries.getAlpha3Code(text, 'en') ?? countries.getAlpha3Code(text, 'th') ?? null;
}

export function countryName(alpha3: string, locale: Locale): string {
  return countries.getName(alpha3, locale) ?? alpha3;
}
