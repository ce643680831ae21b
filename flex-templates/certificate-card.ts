/**
 * The certificate cards. The domestic card (one per person; a carousel for a family) shows
 * name, date of birth, masked ID, a "complete" or "1 of 2 doses" badge, each dose (date,
 * product, lot, hospital) and the SMART Health Card QR, an image behind an unguessable
 * expiring link. Buttons: download the .smart-health-card file, the International pass,
 * report wrong data. The International pass card (EU DCC, HC1: QR) is in English: it is shown
 * abroad. Pure builders: the caller reads and masks the data.
 */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale } from '../src/i18n/index.js';
import { cut, postbackAction } from '../src/line/message-builders.js';
import { MUTED_COLOR, button, flexMessage, header, row, vbox } from './parts.js';

export interface CertificateCardDose {
  doseNumber: number;
  /** YYYY-MM-DD. */
  date: string;
  productName: string;
  lotNumber: string | null;
  hospitalName: string;
}

export interface CertificateCardView {
  personId: string;
  fullName: string;
  birthDate: string;
  maskedId: string;
  doses: CertificateCardDose[];
  complete: boolean;
  seriesDoses: number;
  /** PNG of the SHC QR, behind a signed link. */
  qrImageUrl: string;
  /** The .smart-health-card file, behind a signed link. */
  fileUrl: string;
}

/** LINE: 12 bubbles a carousel, 30 KB a bubble, 50 KB a carousel (a little kept for the wrapper). */
export const CERTIFICATE_CAROUSEL_MAX = 12;
const CAROUSEL_BYTES = 50 * 1024 - 256;
const TEXT_MAX = 80;
/** Doses shown on a card (a card stays far under 30 KB; a QR holds about as many anyway). */
const DOSES_MAX = 6;
const OK_COLOR = '#15803D';
const PARTIAL_COLOR = '#B45309';

export function certificateBubble(view: CertificateCardView, locale: Locale): messagingApi.FlexBubble {
  const t = translator(locale);
  const badge = view.complete
    ? { text: t('certificate.complete'), color: OK_COLOR }
    : { text: t('certificate.partial', { count: view.doses.length, total: view.seriesDoses }), color: PARTIAL_COLOR };
  const body: messagingApi.FlexComponent[] = [
    { type: 'text', text: badge.text, weight: 'bold', size: 'md', color: badge.color, align: 'center', wrap: true },
    { type: 'image', url: view.qrImageUrl, size: 'full', aspectRatio: '1:1', aspectMode: 'fit' },
    { type: 'text', text: t('certificate.qrHint'), size: 'xxs', color: MUTED_COLOR, align: 'center', wrap: true },
    { type: 'separator', margin: 'md' },
    row(t('certificate.name'), cut(view.fullName, TEXT_MAX)),
    row(t('certificate.birthDate'), formatDate(view.birthDate, locale)),
    row(t('certificate.id'), view.maskedId),
  ];
  for (const dose of view.doses.slice(0, DOSES_MAX)) {
    const detail = [cut(dose.productName, 40), dose.lotNumber ? t('certificate.lot', { lot: cut(dose.lotNumber, 20) }) : null].filter(Boolean).join(' · ');
    body.push({
      type: 'box',
      layout: 'vertical',
      margin: 'md',
      spacing: 'none',
      contents: [
        { type: 'text', text: t('certificate.doseTitle', { dose: dose.doseNumber, date: formatDate(dose.date, locale) }), size: 'sm', weight: 'bold', color: '#111827', wrap: true },
        { type: 'text', text: detail, size: 'xs', color: '#111827', wrap: true },
        { type: 'text', text: cut(dose.hospitalName, TEXT_MAX), size: 'xs', color: MUTED_COLOR, wrap: true },
      ],
    });
  }
  const footer: messagingApi.FlexComponent[] = [
    button({ type: 'uri', label: t('certificate.download'), uri: view.fileUrl }, 'primary'),
    button(postbackAction(t('certificate.international'), { a: 'menu', f: 'certificate', p: `dcc:${view.personId}` }, t('certificate.international'))),
    button(postbackAction(t('certificate.report'), { a: 'menu', f: 'certificate', p: `report:${view.personId}` }, t('certificate.report')), 'link'),
  ];
  return { type: 'bubble', size: 'mega', header: header(t('certificate.title'), cut(view.fullName, TEXT_MAX)), body: vbox(body, 'sm'), footer: vbox(footer, 'xs') };
}

/** One card, or a carousel of as many as fit (12 and 50 KB); `shown` says how many. */
export function certificateCards(views: ReadonlyArray<CertificateCardView>, locale: Locale): { message: messagingApi.FlexMessage; shown: number } {
  const t = translator(locale);
  const bubbles: messagingApi.FlexBubble[] = [];
  let bytes = 0;
  for (const view of views.slice(0, CERTIFICATE_CAROUSEL_MAX)) {
    const bubble = certificateBubble(view, locale);
    const size = Buffer.byteLength(JSON.stringify(bubble), 'utf8') + 1;
    if (bytes + size > CAROUSEL_BYTES) break;
    bubbles.push(bubble);
    bytes += size;
  }
  const altText = t('certificate.altText', { names: views.slice(0, bubbles.length).map((v) => v.fullName).join(', ') });
  const contents: messagingApi.FlexContainer = bubbles.length === 1 ? bubbles[0]! : { type: 'carousel', contents: bubbles };
  return { message: flexMessage(altText, contents), shown: bubbles.length };
}

export interface InternationalPassView {
  /** Names as on the pass (fnt/gnt form is what border systems compare; this is the display). */
  familyName: string;
  givenName: string;
  /** The passport linked to the pass, masked (xxxxxx567). */
  passport?: string;
  birthDate: string;
  doseNumber: number;
  seriesDoses: number;
  date: string;
  productName: string;
  certificateId: string;
  validUntil: string;
  qrImageUrl: string;
}

/** The International pass card, always in English. */
export function internationalPassCard(view: InternationalPassView): messagingApi.FlexMessage {
  const bubble: messagingApi.FlexBubble = {
    type: 'bubble',
    size: 'mega',
    header: {
      type: 'box',
      layout: 'vertical',
      backgroundColor: '#1E3A8A',
      paddingAll: 'lg',
      spacing: 'xs',
      contents: [
        { type: 'text', text: 'KINGDOM OF THAILAND · MOR PROM', size: 'xxs', color: '#DBEAFE', weight: 'bold' },
        { type: 'text', text: 'International COVID-19 vaccination pass', size: 'lg', color: '#FFFFFF', weight: 'bold', wrap: true },
        { type: 'text', text: 'EU Digital COVID Certificate format', size: 'xs', color: '#DBEAFE', wrap: true },
      ],
    },
    body: vbox(
      [
        { type: 'image', url: view.qrImageUrl, size: 'full', aspectRatio: '1:1', aspectMode: 'fit' },
        { type: 'separator', margin: 'md' },
        row('Surname', cut(view.familyName, TEXT_MAX)),
        row('Given name', cut(view.givenName, TEXT_MAX)),
        row('Date of birth', view.birthDate),
        ...(view.passport ? [row('Passport', view.passport)] : []),
        row('Dose', `${view.doseNumber} / ${Math.max(view.seriesDoses, view.doseNumber)}`),
        row('Date', view.date),
        row('Vaccine', cut(view.productName, TEXT_MAX)),
        row('Valid until', view.validUntil),
        { type: 'text', text: view.certificateId, size: 'xxs', color: MUTED_COLOR, wrap: true },
      ],
      'sm',
    ),
  };
  return flexMessage(`International COVID-19 vaccination pass: ${view.givenName} ${view.familyName}`, bubble);
}
