// Renders single LINE messages: what the bot sent (every message type of the Messaging API)
// and what the user sent (text, location, sticker, image). Tappable parts call ctx.onTap(action).

import { picture, renderFlex } from './flex.js';

const STICKER_FACES = ['😀', '😂', '🥰', '👍', '🙏', '😮', '😢', '🎉'];
/** LINE shows imagemaps and template cards at this width in a chat. */
const CARD_WIDTH = 260;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A message from the bot. */
export function renderBotMessage(message, ctx) {
  switch (message.type) {
    case 'text':
      return textBubble(message.text ?? '', 'bot');
    case 'textV2':
      return textBubble(substitute(message), 'bot');
    case 'flex':
      return renderFlex(message.contents, ctx);
    case 'image':
      return imageBubble(message.previewImageUrl ?? message.originalContentUrl);
    case 'video': {
      const node = imageBubble(message.previewImageUrl);
      node.classList.add('media--video');
      return node;
    }
    case 'audio':
      return textBubble(`🔊 ${Math.round((message.duration ?? 0) / 1000)} s`, 'bot');
    case 'sticker':
      return stickerBubble(message.stickerId);
    case 'location':
      return locationBubble(message);
    case 'imagemap':
      return imagemap(message, ctx);
    case 'template':
      return template(message.template ?? {}, ctx);
    default:
      return textBubble(`[${message.type} message]`, 'bot');
  }
}

/** Something the user sent (see chat-log.ts: SentByUser). */
export function renderUserMessage(sent) {
  switch (sent.type) {
    case 'text':
      return textBubble(sent.text, 'user');
    case 'location':
      return locationBubble(sent.location);
    case 'sticker':
      return stickerBubble(sent.stickerId);
    case 'image':
      return imageBubble(`/emulator/api/content/${encodeURIComponent(sent.messageId)}`);
    default:
      return textBubble(`[${sent.type}]`, 'user');
  }
}

/** A text bubble: line breaks kept, web addresses tappable as in LINE. */
function textBubble(text, from) {
  const node = el('div', `bubble bubble--text bubble--${from}`);
  const parts = text.split(/(https?:\/\/[^\s]+)/g);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const link = el('a', undefined, part);
      link.href = part;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      node.append(link);
    } else if (part) {
      node.append(document.createTextNode(part));
    }
  });
  return node;
}

/** textV2 `{key}` placeholders: mentions as @name, emojis as a generic emoji. */
function substitute(message) {
  return (message.text ?? '').replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, key) => {
    const sub = message.substitution?.[key];
    if (!sub) return whole;
    if (sub.type === 'mention') return sub.mentionee?.type === 'all' ? '@All' : '@user';
    return '😊';
  });
}

function imageBubble(url) {
  const node = el('div', 'media');
  node.append(picture(url, 'cover'));
  return node;
}

function stickerBubble(stickerId) {
  const face = STICKER_FACES[Number(stickerId) % STICKER_FACES.length] ?? STICKER_FACES[0];
  const node = el('div', 'sticker', face);
  node.title = `sticker ${stickerId}`;
  return node;
}

function locationBubble(location) {
  const node = el('div', 'location-card');
  const map = el('div', 'location-card__map', '📍');
  const text = el('div', 'location-card__text');
  text.append(el('div', 'location-card__title', location.title || 'Location'));
  text.append(el('div', 'location-card__address', location.address || `${location.latitude}, ${location.longitude}`));
  node.append(map, text);
  return node;
}

/** An imagemap: the 1040-px image with its areas laid over it, scaled to the card width. */
function imagemap(message, ctx) {
  const { width = 1040, height = 1040 } = message.baseSize ?? {};
  const scale = CARD_WIDTH / width;
  const node = el('div', 'imagemap');
  node.style.width = `${CARD_WIDTH}px`;
  node.style.height = `${Math.round(height * scale)}px`;
  node.append(picture(`${message.baseUrl}/1040`, 'cover'));
  for (const area of message.actions ?? []) {
    const action = imagemapAction(area);
    if (!action || !area.area) continue;
    const hit = el('button', 'imagemap__area');
    hit.type = 'button';
    Object.assign(hit.style, {
      left: `${area.area.x * scale}px`,
      top: `${area.area.y * scale}px`,
      width: `${area.area.width * scale}px`,
      height: `${area.area.height * scale}px`,
    });
    hit.title = action.label || action.text || action.uri || '';
    hit.setAttribute('aria-label', hit.title);
    hit.addEventListener('click', () => ctx.onTap(action));
    node.append(hit);
  }
  return node;
}

/** The ordinary action an imagemap action stands for (the same mapping as the server's actions.ts). */
function imagemapAction(raw) {
  const label = typeof raw.label === 'string' ? raw.label : '';
  if (raw.type === 'message' && typeof raw.text === 'string') return { type: 'message', label, text: raw.text };
  if (raw.type === 'uri' && typeof raw.linkUri === 'string') return { type: 'uri', label, uri: raw.linkUri };
  if (raw.type === 'clipboard' && typeof raw.clipboardText === 'string') return { type: 'clipboard', label, clipboardText: raw.clipboardText };
  return undefined;
}

// ------------------------------------------------------------------ templates

function template(tpl, ctx) {
  switch (tpl.type) {
    case 'buttons':
      return templateCard(tpl, tpl, ctx);
    case 'confirm': {
      const node = el('div', 'tpl-card tpl-card--confirm');
      node.append(el('div', 'tpl-card__text', tpl.text ?? ''));
      const row = el('div', 'tpl-card__actions tpl-card__actions--row');
      for (const action of tpl.actions ?? []) row.append(templateAction(action, ctx));
      node.append(row);
      return node;
    }
    case 'carousel': {
      const node = el('div', 'flex-carousel');
      for (const column of tpl.columns ?? []) node.append(templateCard(column, tpl, ctx));
      return node;
    }
    case 'image_carousel': {
      const node = el('div', 'flex-carousel');
      for (const column of tpl.columns ?? []) {
        const card = el('div', 'tpl-image-column');
        card.append(picture(column.imageUrl, 'cover'));
        if (column.action) {
          const label = templateAction(column.action, ctx);
          label.classList.add('tpl-image-column__label');
          card.append(label);
        }
        node.append(card);
      }
      return node;
    }
    default:
      return textBubble(`[${tpl.type} template]`, 'bot');
  }
}

/** A buttons template or a carousel column: optional picture, title, text and up to four actions. */
function templateCard(column, tpl, ctx) {
  const node = el('div', 'tpl-card');
  const imageUrl = column.thumbnailImageUrl;
  if (imageUrl) {
    const frame = el('div', 'tpl-card__image');
    frame.style.aspectRatio = tpl.imageAspectRatio === 'square' ? '1 / 1' : '1.51 / 1';
    if (column.imageBackgroundColor) frame.style.backgroundColor = column.imageBackgroundColor;
    frame.append(picture(imageUrl, tpl.imageSize === 'contain' ? 'contain' : 'cover'));
    node.append(frame);
  }
  const body = el('div', 'tpl-card__body');
  if (column.title) body.append(el('div', 'tpl-card__title', column.title));
  body.append(el('div', 'tpl-card__text', column.text ?? ''));
  node.append(body);
  if (column.defaultAction) {
    body.classList.add('tappable');
    body.addEventListener('click', () => ctx.onTap(column.defaultAction));
  }
  const actions = el('div', 'tpl-card__actions');
  for (const action of column.actions ?? []) actions.append(templateAction(action, ctx));
  node.append(actions);
  return node;
}

function templateAction(action, ctx) {
  const button = el('button', 'tpl-action', action.label ?? '');
  button.type = 'button';
  button.addEventListener('click', () => ctx.onTap(action));
  return button;
}
