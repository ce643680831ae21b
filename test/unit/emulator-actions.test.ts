/**
 * Finding what a LINE user can tap in the messages a bot sent and in a rich menu.
 */
import type { messagingApi } from '@line/bot-sdk';
import { describe, expect, it } from 'vitest';
import { actionsInMessages, actionsInRichMenu } from '../../src/emulator/index.js';

const postback = (label: string | undefined, data: string): messagingApi.PostbackAction => ({
  type: 'postback',
  data,
  ...(label !== undefined && { label }),
});
const labels = (messages: messagingApi.Message[]) => actionsInMessages(messages).map((a) => [a.place, a.label]);

describe('actionsInMessages', () => {
  it('counts quick reply buttons only on the last message, as LINE hides earlier ones', () => {
    const withQuickReply = (text: string, label: string): messagingApi.TextMessage => ({
      type: 'text',
      text,
      quickReply: { items: [{ type: 'action', action: postback(label, label) }] },
    });

    expect(labels([withQuickReply('first', 'Old'), withQuickReply('second', 'New')])).toEqual([['quick reply', 'New']]);
  });

  it('finds actions at any depth of a Flex carousel, labelling boxes by the text inside', () => {
    const flex: messagingApi.FlexMessage = {
      type: 'flex',
      altText: 'slots',
      contents: {
        type: 'carousel',
        contents: [
          {
            type: 'bubble',
            hero: { type: 'image', url: 'https://example.com/a.png', action: { type: 'uri', label: 'Photo', uri: 'https://example.com/' } },
            body: {
              type: 'box',
              layout: 'vertical',
              contents: [
                {
                  type: 'box',
                  layout: 'horizontal',
                  action: postback(undefined, 'slot=1'),
                  contents: [
                    { type: 'text', text: '09:00' },
                    { type: 'text', contents: [{ type: 'span', text: 'free' }] },
                  ],
                },
              ],
            },
            footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', action: postback('Choose', 'slot=2') }] },
          },
          { type: 'bubble', body: { type: 'box', layout: 'vertical', contents: [{ type: 'button', action: { type: 'message', label: 'Ask', text: 'ask' } }] } },
        ],
      },
    };

    expect(labels([flex])).toEqual([
      ['flex', 'Photo'],
      ['flex', '09:00 free'],
      ['flex', 'Choose'],
      ['flex', 'Ask'],
    ]);
  });

  it('finds template buttons, carousel columns and imagemap areas', () => {
    const carousel: messagingApi.TemplateMessage = {
      type: 'template',
      altText: 'choose',
      template: {
        type: 'carousel',
        columns: [
          { text: 'A', actions: [postback('Pick A', 'a')] },
          { text: 'B', actions: [postback('Pick B', 'b')] },
        ],
      },
    };
    const imagemap: messagingApi.ImagemapMessage = {
      type: 'imagemap',
      baseUrl: 'https://example.com/map',
      altText: 'map',
      baseSize: { width: 1040, height: 1040 },
      actions: [{ type: 'message', label: 'North', text: 'north', area: { x: 0, y: 0, width: 1040, height: 520 } }],
    };

    expect(labels([carousel, imagemap])).toEqual([
      ['template', 'Pick A'],
      ['template', 'Pick B'],
      ['imagemap', 'North'],
    ]);
    expect(actionsInMessages([imagemap])[0]!.action).toEqual({ type: 'message', label: 'North', text: 'north' });
  });
});

describe('actionsInRichMenu', () => {
  it('labels areas by label, else displayText, else text, and keeps their index', () => {
    const bounds = { x: 0, y: 0, width: 100, height: 100 };
    const menu: messagingApi.RichMenuResponse = {
      richMenuId: 'richmenu-1',
      size: { width: 2500, height: 843 },
      selected: true,
      name: 'm',
      chatBarText: 'Menu',
      areas: [
        { bounds, action: { type: 'postback', data: 'x', displayText: 'Show help' } },
        { bounds, action: { type: 'message', text: 'book' } },
        { bounds, action: { type: 'richmenuswitch', richMenuAliasId: 'b', data: 'b' } },
      ],
    };

    expect(actionsInRichMenu(menu).map((a) => [a.areaIndex, a.label])).toEqual([
      [0, 'Show help'],
      [1, 'book'],
      [2, ''],
    ]);
  });
});
