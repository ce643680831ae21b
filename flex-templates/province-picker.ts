/** Provinces of a region as buttons: a carousel of up to 12 bubbles of 8 buttons each. */
import type { messagingApi } from '@line/bot-sdk';
import { translator, type Locale } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, vbox } from './parts.js';

const PER_BUBBLE = 8;

export function provincePicker(
  data: { step: string; title: string; provinces: Array<{ code: string; nameTh: string; nameEn: string }> },
  locale: Locale,
): messagingApi.FlexMessage {
  const t = translator(locale);
  const pages: Array<typeof data.provinces> = [];
  for (let i = 0; i < data.provinces.length; i += PER_BUBBLE) pages.push(data.provinces.slice(i, i + PER_BUBBLE));
  const bubbles = pages.slice(0, 12).map((page): messagingApi.FlexBubble => ({
    type: 'bubble',
    size: 'kilo',
    header: header(data.title),
    body: vbox(
      page.map((p) => {
        const name = locale === 'th' ? p.nameTh : p.nameEn;
        return button(postbackAction(name, { a: 'ans', s: data.step, v: `code:${p.code}` }, name));
      }),
      'xs',
    ),
  }));
  const contents: messagingApi.FlexContainer = bubbles.length === 1 ? bubbles[0]! : { type: 'carousel', contents: bubbles };
  return flexMessage(t('register.pickProvince'), contents);
}
