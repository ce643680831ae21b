/**
 * The two rich menus as data: what each area says, which feature it opens and where it sits.
 *
 * One grid per menu is the single source of truth: `request.areas` (what LINE makes tappable)
 * and the rendered image (scripts/render-rich-menus.ts draws one cell per area) are both
 * derived from it, so the picture and the tap targets cannot drift apart.
 *
 * - guest: shown by default to everyone who has not registered yet (set as the default menu).
 * - member: linked per user by the bot once registration is complete (a per-user link
 *   overrides the default), reachable by its alias.
 */
import { fileURLToPath } from 'node:url';
import type { messagingApi } from '@line/bot-sdk';
import { encodePostback, type FeatureId } from '../../bot/postback.js';

export type RichMenuKey = 'guest' | 'member';
export const richMenuKeys = ['guest', 'member'] as const satisfies readonly RichMenuKey[];

/** The only sizes LINE accepts (full and half height). */
export const RICH_MENU_SIZES = [
  { width: 2500, height: 1686 },
  { width: 2500, height: 843 },
] as const;
export type RichMenuSize = (typeof RICH_MENU_SIZES)[number];

/** LINE's cap on a rich menu image. */
export const RICH_MENU_IMAGE_MAX_BYTES = 1024 * 1024;
/** LINE's cap on chatBarText. */
export const CHAT_BAR_TEXT_MAX_LENGTH = 14;

/**
 * Every menu we own is named with this prefix, so setup can find (and replace) our old menus
 * without touching menus made by hand in the LINE Official Account Manager.
 */
export const RICH_MENU_NAME_PREFIX = 'morprom-';

/** Line-art icons the renderer knows how to draw. */
export type IconName =
  | 'id-card'
  | 'help'
  | 'globe'
  | 'syringe'
  | 'calendar'
  | 'symptoms'
  | 'certificate'
  | 'person';

/** One cell of the grid: the tap area and what is drawn in it. */
export interface RichMenuItem {
  feature: FeatureId;
  /** Large label; also the `displayText` the user appears to send when tapping. */
  th: string;
  /** Small label under the Thai one. */
  en: string;
  icon: IconName;
  /** The one thing we want this audience to do; drawn in inverted colours. */
  primary?: boolean;
}

/** A postback action as we always build it: data and displayText are never missing. */
export type RichMenuPostbackAction = messagingApi.PostbackAction & {
  type: 'postback';
  data: string;
  displayText: string;
};

export interface RichMenuAreaDefinition extends messagingApi.RichMenuArea {
  bounds: Required<messagingApi.RichMenuBounds>;
  action: RichMenuPostbackAction;
}

/** LINE's RichMenuRequest with every field we rely on made required. */
export interface RichMenuRequestDefinition extends messagingApi.RichMenuRequest {
  size: RichMenuSize;
  selected: boolean;
  name: string;
  chatBarText: string;
  areas: RichMenuAreaDefinition[];
}

export interface RichMenuDefinition {
  key: RichMenuKey;
  /** Rich menu alias id (for richmenuswitch actions and for the bot to look the menu up). */
  alias: string;
  request: RichMenuRequestDefinition;
  /** Absolute path of the committed PNG (rendered by `npm run richmenu:render`). */
  imageFile: string;
  /** Grid layout, row by row; `items[row * columns + column]`. */
  columns: number;
  rows: number;
  items: readonly RichMenuItem[];
}

const assetsDir = fileURLToPath(new URL('../../../assets/rich-menus/', import.meta.url));

/**
 * Splits `total` pixels into `parts` integer lengths that add up exactly (the remainder goes
 * to the middle cells, so the outer edges stay symmetric): 2500 / 3 → 833, 834, 833.
 */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const lengths = Array.from({ length: parts }, () => base);
  let remainder = total - base * parts;
  // Hand out the leftover pixels from the centre outwards.
  const order = Array.from({ length: parts }, (_, i) => i).sort(
    (a, b) => Math.abs(a - (parts - 1) / 2) - Math.abs(b - (parts - 1) / 2),
  );
  for (const i of order) {
    if (remainder === 0) break;
    lengths[i]! += 1;
    remainder -= 1;
  }
  return lengths;
}

/** The pixel rectangle of every cell, row by row, tiling the whole image without gaps. */
export function gridBounds(
  size: RichMenuSize,
  columns: number,
  rows: number,
): Required<messagingApi.RichMenuBounds>[] {
  const widths = splitEvenly(size.width, columns);
  const heights = splitEvenly(size.height, rows);
  const cells: Required<messagingApi.RichMenuBounds>[] = [];
  let y = 0;
  for (const height of heights) {
    let x = 0;
    for (const width of widths) {
      cells.push({ x, y, width, height });
      x += width;
    }
    y += height;
  }
  return cells;
}

function defineMenu(spec: {
  key: RichMenuKey;
  size: RichMenuSize;
  selected: boolean;
  chatBarText: string;
  columns: number;
  rows: number;
  items: readonly RichMenuItem[];
}): RichMenuDefinition {
  if (spec.items.length !== spec.columns * spec.rows) {
    throw new Error(`rich menu ${spec.key}: ${spec.items.length} items for a ${spec.columns}×${spec.rows} grid`);
  }
  const bounds = gridBounds(spec.size, spec.columns, spec.rows);
  return {
    key: spec.key,
    alias: `morprom-${spec.key}`,
    request: {
      size: spec.size,
      selected: spec.selected,
      name: `${RICH_MENU_NAME_PREFIX}${spec.key}`,
      chatBarText: spec.chatBarText,
      areas: spec.items.map((item, i) => ({
        bounds: bounds[i]!,
        action: {
          type: 'postback',
          label: item.th, // read out by screen readers (LINE allows 20 characters here)
          data: encodePostback({ a: 'menu', f: item.feature }),
          displayText: item.th,
          // The member menu covers half the screen: close it so the bot's answer is visible.
          inputOption: 'closeRichMenu',
        },
      })),
    },
    imageFile: `${assetsDir}${spec.key}.png`,
    columns: spec.columns,
    rows: spec.rows,
    items: spec.items,
  };
}

/**
 * Not registered yet. `selected: true` opens the menu when the chat opens, so a newcomer
 * sees "ลงทะเบียน" at once instead of an empty chat with a keyboard.
 */
export const guestMenu: RichMenuDefinition = defineMenu({
  key: 'guest',
  size: { width: 2500, height: 843 },
  selected: true,
  chatBarText: 'เมนู',
  columns: 3,
  rows: 1,
  items: [
    { feature: 'register', th: 'ลงทะเบียน', en: 'Register', icon: 'id-card', primary: true },
    { feature: 'help', th: 'ช่วยเหลือ', en: 'Help', icon: 'help' },
    { feature: 'language', th: 'ภาษา', en: 'Language', icon: 'globe' },
  ],
});

/**
 * Registered. Also `selected: true`: the bot links it right after registration, and showing
 * it open is how the user learns what they can do now.
 */
export const memberMenu: RichMenuDefinition = defineMenu({
  key: 'member',
  size: { width: 2500, height: 1686 },
  selected: true,
  chatBarText: 'เมนูหมอพร้อม',
  columns: 3,
  rows: 2,
  items: [
    { feature: 'book', th: 'จองวัคซีน', en: 'Book vaccine', icon: 'syringe', primary: true },
    { feature: 'appointments', th: 'นัดหมายของฉัน', en: 'My appointments', icon: 'calendar' },
    { feature: 'symptoms', th: 'แจ้งอาการ', en: 'Report symptoms', icon: 'symptoms' },
    { feature: 'certificate', th: 'ใบรับรอง', en: 'Certificate', icon: 'certificate' },
    { feature: 'profile', th: 'ข้อมูลของฉัน', en: 'My profile', icon: 'person' },
    { feature: 'help', th: 'ช่วยเหลือ', en: 'Help', icon: 'help' },
  ],
});

export const richMenuDefinitions: Readonly<Record<RichMenuKey, RichMenuDefinition>> = {
  guest: guestMenu,
  member: memberMenu,
};
