/** "My profile": one bubble per person the LINE account manages (carousel for a family). */
import type { messagingApi } from '@line/bot-sdk';
import { formatDate, translator, type Locale, type MessageKey } from '../src/i18n/index.js';
import { postbackAction } from '../src/line/message-builders.js';
import { button, flexMessage, header, row, vbox } from './parts.js';

export interface ProfileCardPerson {
  personId: string;
  /** Short handle used in postbacks (index in the list), never the database id in clear text. */
  ref: string;
  isSelf: boolean;
  identityType: 'THAI_ID' | 'PASSPORT';
  maskedId: string;
  fullName: string;
  birthDate: string;
  phoneDisplay: string;
  provinceName: string;
  verificationStatus: 'VERIFIED' | 'UNVERIFIED';
}

export function profileCards(data: { people: ProfileCardPerson[]; step: string; canAddFamily: boolean }, locale: Locale): messagingApi.FlexMessage {
  const t = translator(locale);
  const bubbles = data.people.map((p, index): messagingApi.FlexBubble => {
    const actions: messagingApi.FlexComponent[] = [
      button(postbackAction(t('profile.editPhone'), { a: 'ans', s: data.step, v: `phone:${p.ref}` }, t('profile.editPhone'))),
      button(postbackAction(t('profile.editProvince'), { a: 'ans', s: data.step, v: `province:${p.ref}` }, t('profile.editProvince'))),
    ];
    // Account-wide actions sit on the first card only.
    if (index === 0) {
      if (data.canAddFamily) actions.push(button(postbackAction(t('profile.addFamily'), { a: 'menu', f: 'family' }, t('profile.addFamily')), 'primary'));
      actions.push(button(postbackAction(t('profile.export'), { a: 'ans', s: data.step, v: 'export' }, t('profile.export')), 'link'));
      actions.push(button(postbackAction(t('profile.delete'), { a: 'ans', s: data.step, v: 'delete' }, t('profile.delete')), 'link'));
    }
    return {
      type: 'bubble',
      size: 'mega',
      header: header(p.isSelf ? t('profile.title') : t('profile.familyTitle'), p.fullName),
      body: vbox(
        [
          row(t('field.identity'), `${t(`register.idType.${p.identityType}` as MessageKey)} ${p.maskedId}`),
          row(t('field.birthDate'), formatDate(p.birthDate, locale)),
          row(t('field.phone'), p.phoneDisplay),
          row(t('field.province'), p.provinceName),
          row(t('field.status'), t(`status.${p.verificationStatus}` as MessageKey)),
        ],
        'sm',
      ),
      footer: vbox(actions, 'xs'),
    };
  });
  const contents: messagingApi.FlexContainer = bubbles.length === 1 ? bubbles[0]! : { type: 'carousel', contents: bubbles.slice(0, 12) };
  return flexMessage(t('profile.title'), contents);
}
