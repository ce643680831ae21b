/** The PDPA consent card: what we collect, why, for how long, the person's rights. */
import type { messagingApi } from '@line/bot-sdk';
import { translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, paragraph, vbox } from './parts.js';

export interface ConsentCardData {
  version: string;
  /** Consent given by the LINE user for a family member. */
  onBehalf: boolean;
  /** The step the answer belongs to, so a tap on an old card is recognised. */
  step: string;
}

export function consentCard(data: ConsentCardData, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const section = (label: string, text: string) => vbox([paragraph(label, { bold: true }), paragraph(text, { muted: true })], 'xs');
  return flexMessage(data.onBehalf ? t('consent.titleOnBehalf') : t('consent.title'), {
    type: 'bubble',
    size: 'mega',
    header: header(data.onBehalf ? t('consent.titleOnBehalf') : t('consent.title'), t('consent.version', { version: data.version })),
    body: vbox([
      paragraph(data.onBehalf ? t('consent.onBehalfIntro') : t('consent.intro')),
      section(t('consent.whatLabel'), t('consent.what')),
      section(t('consent.whyLabel'), t('consent.why')),
      section(t('consent.howLongLabel'), t('consent.howLong')),
      section(t('consent.rightsLabel'), t('consent.rights')),
    ]),
    footer: vbox(
      [
        button(postbackAction(t('consent.accept'), { a: 'ans', s: data.step, v: 'accept' }, t('consent.accept')), 'primary'),
        button(postbackAction(t('consent.decline'), { a: 'ans', s: data.step, v: 'decline' }, t('consent.decline')), 'secondary'),
      ],
      'sm',
    ),
  });
}
