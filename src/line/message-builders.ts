/**
 * Small builders for the non-Flex messages flows send: text with quick replies and the
 * actions buttons carry. Labels are cut to LINE's limits here, once, instead of at every
 * call site (quick-reply labels: 20 characters; button labels: 40).
 */
import type { messagingApi } from '@line/bot-sdk';
import { encodePostback, type Postback } from '../bot/postback.js';
import type { LineMessage } from './line-gateway.js';

export const QUICK_REPLY_MAX_ITEMS = 13;
const QUICK_REPLY_LABEL_MAX = 20;
const BUTTON_LABEL_MAX = 40;

export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function postbackAction(label: string, payload: Postback, displayText?: string): messagingApi.PostbackAction {
  return {
    type: 'postback',
    label: cut(label, BUTTON_LABEL_MAX),
    data: encodePostback(payload),
    ...(displayText ? { displayText: cut(displayText, 300) } : {}),
  };
}

export function datePickerAction(label: string, payload: Postback, range: { initial?: string; min?: string; max?: string }): messagingApi.DatetimePickerAction {
  return {
    type: 'datetimepicker',
    label: cut(label, BUTTON_LABEL_MAX),
    data: encodePostback(payload),
    mode: 'date',
    ...(range.initial ? { initial: range.initial } : {}),
    ...(range.min ? { min: range.min } : {}),
    ...(range.max ? { max: range.max } : {}),
  };
}

export type QuickReplyAction = messagingApi.PostbackAction | messagingApi.DatetimePickerAction | messagingApi.MessageAction | messagingApi.LocationAction;

/** A quick-reply button; its label is cut to 20 characters. */
export function quickReplyItem(action: QuickReplyAction): messagingApi.QuickReplyItem {
  const label = action.label ? cut(action.label, QUICK_REPLY_LABEL_MAX) : undefined;
  return { type: 'action', action: { ...action, ...(label ? { label } : {}) } };
}

/** A text message, with up to 13 quick replies (more would be rejected by LINE). */
export function textMessage(text: string, quickReplies: QuickReplyAction[] = []): LineMessage {
  const message: messagingApi.TextMessage = { type: 'text', text: cut(text, 5000) };
  if (quickReplies.length > 0) {
    message.quickReply = { items: quickReplies.slice(0, QUICK_REPLY_MAX_ITEMS).map(quickReplyItem) };
  }
  return message;
}

/** Attaches quick replies to the last message of a list (LINE shows only the last one's). */
export function withQuickReplies(messages: LineMessage[], quickReplies: QuickReplyAction[]): LineMessage[] {
  if (messages.length === 0 || quickReplies.length === 0) return messages;
  const last = messages[messages.length - 1]!;
  return [...messages.slice(0, -1), { ...last, quickReply: { items: quickReplies.slice(0, QUICK_REPLY_MAX_ITEMS).map(quickReplyItem) } }];
}
