/**
 * Building blocks shared by the Flex templates: the Mor Prom header, label/value rows
 * and buttons, so every card looks alike and each template stays short.
 */
import type { messagingApi } from '@line/bot-sdk';

export const BRAND_COLOR = '#00A19A';
export const MUTED_COLOR = '#6B7280';

type FlexComponent = messagingApi.FlexComponent;

export function header(title: string, subtitle?: string): messagingApi.FlexBox {
  const contents: FlexComponent[] = [
    { type: 'text', text: 'หมอพร้อม · MOR PROM', size: 'xxs', color: '#E6FFFA', weight: 'bold' },
    { type: 'text', text: title, size: 'lg', color: '#FFFFFF', weight: 'bold', wrap: true },
  ];
  if (subtitle) contents.push({ type: 'text', text: subtitle, size: 'xs', color: '#E6FFFA', wrap: true });
  return { type: 'box', layout: 'vertical', backgroundColor: BRAND_COLOR, paddingAll: 'lg', spacing: 'xs', contents };
}

/** "Label    value" on one line; long values wrap under their own column. */
export function row(label: string, value: string): messagingApi.FlexBox {
  return {
    type: 'box',
    layout: 'baseline',
    spacing: 'sm',
    contents: [
      { type: 'text', text: label, size: 'sm', color: MUTED_COLOR, flex: 2, wrap: true },
      { type: 'text', text: value || '-', size: 'sm', color: '#111827', flex: 4, wrap: true },
    ],
  };
}

export function paragraph(text: string, options: { bold?: boolean; muted?: boolean; size?: 'xxs' | 'xs' | 'sm' | 'md' } = {}): messagingApi.FlexText {
  return {
    type: 'text',
    text,
    wrap: true,
    size: options.size ?? 'sm',
    ...(options.bold ? { weight: 'bold' as const } : {}),
    ...(options.muted ? { color: MUTED_COLOR } : {}),
  };
}

export function button(action: messagingApi.Action, style: 'primary' | 'secondary' | 'link' = 'secondary'): messagingApi.FlexButton {
  return { type: 'button', action, style, height: 'sm', ...(style === 'primary' ? { color: BRAND_COLOR } : {}) };
}

export function vbox(contents: FlexComponent[], spacing: 'none' | 'xs' | 'sm' | 'md' | 'lg' = 'md'): messagingApi.FlexBox {
  return { type: 'box', layout: 'vertical', spacing, contents };
}

export function flexMessage(altText: string, contents: messagingApi.FlexContainer): messagingApi.FlexMessage {
  return { type: 'flex', altText: [...altText].slice(0, 400).join(''), contents };
}
