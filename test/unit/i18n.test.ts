import { describe, expect, it } from 'vitest';
import { th } from '../../src/i18n/th.js';
import { en } from '../../src/i18n/en.js';
import { formatDate, formatDateTime, translator } from '../../src/i18n/index.js';

describe('catalogues', () => {
  it('English has exactly the Thai keys, and no empty text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(th).sort());
    for (const [key, text] of [...Object.entries(th), ...Object.entries(en)]) expect(text.trim(), key).not.toBe('');
  });

  it('placeholders match between languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(th) as Array<keyof typeof th>) expect(names(en[key]), key).toEqual(names(th[key]));
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translator('en')('follow.welcomeBack', { name: 'Somchai' })).toBe('Welcome back, Somchai.');
    expect(translator('th')('common.comingSoon', {})).toContain('{feature}');
  });
});

describe('dates', () => {
  it('shows Thai dates in the Buddhist era and English in Gregorian', () => {
    expect(formatDate('1955-04-12', 'th')).toBe('12 เม.ย. 2498');
    expect(formatDate('1955-04-12', 'en')).toBe('12 Apr 1955');
  });

  it('shows instants in Bangkok time', () => {
    // 20:30 UTC is 03:30 the next day in Bangkok.
    expect(formatDateTime(new Date('2021-05-01T20:30:00Z'), 'en')).toBe('2 May 2021, 03:30');
    expect(formatDateTime(new Date('2021-05-01T20:30:00Z'), 'th')).toBe('2 พ.ค. 2564 03:30 น.');
  });
});
