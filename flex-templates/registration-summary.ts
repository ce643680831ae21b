/** The registration summary: every detail with an edit button, then confirm or cancel. */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale, type MessageKey } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { BRAND_COLOR, button, flexMessage, header, paragraph, vbox } from './parts.js';

export interface RegistrationSummaryData {
  forFamily: boolean;
  step: string;
  maskedId: string;
  identityType: 'THAI_ID' | 'PASSPORT';
  nationalityName?: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  sex: string;
  phoneDisplay: string;
  provinceName: string;
}

/** Field names double as the postback value of their edit button. */
export const editableFields = ['identity', 'name', 'birthDate', 'sex', 'phone', 'province'] as const;
export type EditableField = (typeof editableFields)[number];

export function registrationSummary(data: RegistrationSummaryData, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const identity = data.nationalityName ? `${data.maskedId} (${data.nationalityName})` : data.maskedId;
  const rows: Array<[EditableField, MessageKey, string]> = [
    ['identity', 'field.identity', `${t(`register.idType.${data.identityType}`)} ${identity}`],
    ['name', 'field.name', `${data.firstName} ${data.lastName}`],
    ['birthDate', 'field.birthDate', formatDate(data.birthDate, locale)],
    ['sex', 'field.sex', t(`register.sex.${data.sex}` as MessageKey)],
    ['phone', 'field.phone', data.phoneDisplay],
    ['province', 'field.province', data.provinceName],
  ];
  const title = data.forFamily ? t('register.summaryTitleFamily') : t('register.summaryTitle');
  return flexMessage(title, {
    type: 'bubble',
    size: 'mega',
    header: header(title),
    body: vbox([
      ...rows.map(([field, label, value]) => editableRow(t(label), value, postbackAction(t('common.edit'), { a: 'ans', s: data.step, v: `edit:${field}` }, `${t('common.edit')} ${t(label)}`))),
      paragraph(t('register.summaryHint'), { muted: true, size: 'xs' }),
    ]),
    footer: vbox(
      [
        button(postbackAction(t('common.confirm'), { a: 'ans', s: data.step, v: 'confirm' }, t('common.confirm')), 'primary'),
        button(postbackAction(t('common.cancel'), { a: 'cancel' }, t('common.cancel')), 'link'),
      ],
      'sm',
    ),
  });
}

function editableRow(label: string, value: string, edit: messagingApi.Action): messagingApi.FlexBox {
  return {
    type: 'box',
    layout: 'horizontal',
    spacing: 'sm',
    alignItems: 'center',
    contents: [
      vbox([paragraph(label, { muted: true, size: 'xs' }), paragraph(value, { bold: true })], 'none'),
      { type: 'text', text: edit.label ?? '', size: 'xs', color: BRAND_COLOR, align: 'end', flex: 0, action: edit },
    ],
  };
}
