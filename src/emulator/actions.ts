/**
 * Finds what a LINE user could tap: quick reply buttons, actions anywhere in Flex messages,
 * template buttons, imagemap areas and rich menu areas. Messages come from the bot as JSON,
 * so everything is read defensively.
 */
import type { messagingApi } from '@line/bot-sdk';
import { isRecord } from './route-contract.js';

type Action = messagingApi.Action;

/** Where on screen a tappable action is. */
export type ActionPlace = 'quick reply' | 'flex' | 'template' | 'imagemap' | 'rich menu';

/** One thing the user can tap, with the label they would read on it. */
export interface TappableAction {
  /** What the user reads on the button; '' when nothing is readable (e.g. an image area). */
  label: string;
  place: ActionPlace;
  action: Action;
  /** Index of the area in the rich menu, for rich menu actions. */
  areaIndex?: number;
}

/**
 * Tappable actions in a batch of received messages, top to bottom. Quick reply buttons
 * count only on the last message: LINE hides them once another message follows.
 */
export function actionsInMessages(messages: readonly messagingApi.Message[]): TappableAction[] {
  const found: TappableAction[] = [];
  for (const message of messages) {
    if (message.type === 'flex') collectFlexActions(message.contents, found);
    else if (message.type === 'template') collectTemplateActions(message.template, found);
    else if (message.type === 'imagemap') collectImagemapActions(message.actions, found);
  }
  for (const item of messages.at(-1)?.quickReply?.items ?? []) {
    if (isAction(item.action)) found.push({ label: actionLabel(item.action), place: 'quick reply', action: item.action });
  }
  return found;
}

/** The areas of a rich menu, labelled by their action's label, display text or text. */
export function actionsInRichMenu(menu: messagingApi.RichMenuResponse): TappableAction[] {
  return menu.areas.flatMap((area, areaIndex) =>
    isAction(area.action) ? [{ label: actionLabel(area.action), place: 'rich menu' as const, action: area.action, areaIndex }] : [],
  );
}

/** One line per action, for "available labels" error messages. */
export function describeActions(actions: readonly TappableAction[]): string {
  if (actions.length === 0) return '(nothing tappable)';
  return actions
    .map((found) => {
      const where = found.areaIndex === undefined ? found.place : `rich menu area ${found.areaIndex}`;
      return `${where}: ${JSON.stringify(found.label)} (${found.action.type})`;
    })
    .join('\n  ');
}

function isAction(value: unknown): value is Action {
  return isRecord(value) && typeof value.type === 'string';
}

/** A rich menu or Flex action may lack a label; fall back to what the user would see. */
function actionLabel(action: Action, fallback = ''): string {
  const record = action as Record<string, unknown>;
  for (const key of ['label', 'displayText', 'text']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return fallback;
}

/** Properties under which Flex nests components (bubble sections, box and carousel contents). */
const FLEX_CHILDREN = ['contents', 'header', 'hero', 'body', 'footer'] as const;

/**
 * Walks a Flex container: any component (bubble, box, button, text, image…) may carry an
 * action. A box's label falls back to the texts inside it, which is what the user reads.
 */
function collectFlexActions(node: unknown, found: TappableAction[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectFlexActions(child, found);
    return;
  }
  if (!isRecord(node)) return;
  if (isAction(node.action)) found.push({ label: actionLabel(node.action, visibleText(node)), place: 'flex', action: node.action });
  for (const key of FLEX_CHILDREN) collectFlexActions(node[key], found);
}

function visibleText(node: unknown): string {
  if (Array.isArray(node)) return node.map(visibleText).filter(Boolean).join(' ');
  if (!isRecord(node)) return '';
  if ((node.type === 'text' || node.type === 'span') && typeof node.text === 'string') return node.text;
  return visibleText(FLEX_CHILDREN.map((key) => node[key]));
}

function collectTemplateActions(template: unknown, found: TappableAction[]): void {
  if (!isRecord(template)) return;
  const add = (action: unknown, fallback = ''): void => {
    if (isAction(action)) found.push({ label: actionLabel(action, fallback), place: 'template', action });
  };
  const addAll = (actions: unknown): void => {
    if (Array.isArray(actions)) for (const action of actions) add(action);
  };
  add(template.defaultAction, typeof template.title === 'string' ? template.title : '');
  addAll(template.actions);
  if (Array.isArray(template.columns)) {
    for (const column of template.columns) {
      if (!isRecord(column)) continue;
      add(column.defaultAction, typeof column.title === 'string' ? column.title : '');
      addAll(column.actions);
      add(column.action); // image carousel columns have a single action
    }
  }
}

/** Imagemap actions use their own shapes; map them onto the equivalent ordinary actions. */
function collectImagemapActions(actions: unknown, found: TappableAction[]): void {
  if (!Array.isArray(actions)) return;
  for (const raw of actions) {
    if (!isRecord(raw)) continue;
    const label = typeof raw.label === 'string' ? raw.label : '';
    let action: Action | undefined;
    if (raw.type === 'message' && typeof raw.text === 'string') action = { type: 'message', label, text: raw.text };
    else if (raw.type === 'uri' && typeof raw.linkUri === 'string') action = { type: 'uri', label, uri: raw.linkUri };
    else if (raw.type === 'clipboard' && typeof raw.clipboardText === 'string') {
      action = { type: 'clipboard', label, clipboardText: raw.clipboardText };
    }
    if (action) found.push({ label: actionLabel(action), place: 'imagemap', action });
  }
}
