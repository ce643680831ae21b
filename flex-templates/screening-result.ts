/**
 * The risk screening result: the priority group, what it means today (book now, or from
 * which day), the conditions and BMI it was based on, and buttons to book or screen again.
 * The caller decides eligibility (it knows today and the phases); the template only draws.
 */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, formatDateTime, isMessageKey, translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { BRAND_COLOR, button, flexMessage, header, paragraph, row, vbox } from './parts.js';

export type ScreeningResultEligibility =
  | { status: 'eligible' }
  /** opensOn: YYYY-MM-DD, or null when no phase lists the group yet. */
  | { status: 'not-yet'; opensOn: string | null };

export interface ScreeningResultData {
  /** First name of the person screened (the card may be about a family member). */
  personName: string;
  priorityGroup: string;
  eligibility: ScreeningResultEligibility;
  /** Chronic disease codes (obesity included when computed). */
  chronicDiseases: readonly string[];
  bmi: number;
  weightKg: number;
  heightCm: number;
  screenedAt: Date;
}

export function screeningResultCard(data: ScreeningResultData, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const label = (key: string): string => (isMessageKey(key) ? t(key) : key.slice(key.lastIndexOf('.') + 1));
  const group = label(`screening.group.${data.priorityGroup}`);
  const eligible = data.eligibility.status === 'eligible';
  const status = eligible
    ? t('screening.result.canBook')
    : data.eligibility.status === 'not-yet' && data.eligibility.opensOn
      ? t('screening.result.opensOn', { date: formatDate(data.eligibility.opensOn, locale) })
      : t('screening.result.noDateYet');
  const diseases = data.chronicDiseases.length > 0 ? data.chronicDiseases.map((c) => label(`screening.disease.${c}`)).join(', ') : t('screening.result.none');
  const number = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

  const body = [
    vbox(
      [
        paragraph(t('screening.result.groupLabel'), { muted: true, size: 'xs' }),
        { type: 'text', text: group, weight: 'bold', size: 'lg', color: BRAND_COLOR, wrap: true } satisfies messagingApi.FlexText,
      ],
      'xs',
    ),
    paragraph(status, { bold: true }),
    { type: 'separator' } satisfies messagingApi.FlexSeparator,
    row(t('screening.result.diseasesLabel'), diseases),
    row(
      t('screening.result.bmiLabel'),
      t('screening.result.bmiValue', { bmi: data.bmi.toFixed(1), weight: number(data.weightKg), height: number(data.heightCm) }),
    ),
    row(t('screening.result.screenedAtLabel'), formatDateTime(data.screenedAt, locale)),
  ];
  if (data.chronicDiseases.includes('obesity')) body.push(paragraph(t('screening.result.obesityNote'), { muted: true, size: 'xs' }));
  body.push(paragraph(t('screening.result.latestCounts'), { muted: true, size: 'xs' }));

  const redo = postbackAction(t('screening.result.redo'), { a: 'menu', f: 'screening' }, t('screening.result.redo'));
  const footer = eligible
    ? [button(postbackAction(t('screening.result.bookNow'), { a: 'menu', f: 'book' }, t('screening.result.bookNow')), 'primary'), button(redo, 'link')]
    : [button(redo, 'secondary')];

  return flexMessage(t('screening.result.altText', { name: data.personName, group }), {
    type: 'bubble',
    size: 'mega',
    header: header(t('screening.result.title'), data.personName),
    body: vbox(body),
    footer: vbox(footer, 'sm'),
  });
}
