import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildLineSchema, serializeLineSchema } from '../../scripts/build-line-schema.js';
import {
  LINE_LIMITS,
  toLineErrorBody,
  validateLineRequest,
  validateMessages,
  type LineRequestKind,
} from '../../src/line/validation/index.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const committedSchemaPath = `${repoRoot}src/line/validation/line-schema.json`;
// The spec lives in the sibling `shared/` checkout; tests that need it skip when it is absent.
const specPath = `${repoRoot}../shared/line-openapi/messaging-api.yml`;
const hasSpec = existsSync(specPath);

// ---------------------------------------------------------------------------------------
// Fixtures

const text = (value: string) => ({ type: 'text', text: value });
const postback = (data: string, label = 'Go') => ({ type: 'postback', label, data });

/** A bubble using box, text (with spans), image, separator and button components. */
function richBubble() {
  return {
    type: 'bubble',
    size: 'mega',
    hero: { type: 'image', url: 'https://example.com/hero.png', size: 'full', aspectRatio: '20:13', aspectMode: 'cover' },
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'sm',
      contents: [
        { type: 'text', text: 'Appointment', weight: 'bold', size: 'xl' },
        {
          type: 'text',
          text: 'ignored when contents is set',
          wrap: true,
          contents: [
            { type: 'span', text: 'Dr. ', weight: 'bold' },
            { type: 'span', text: 'Somchai', color: '#1DB446', decoration: 'underline' },
          ],
        },
        { type: 'separator', margin: 'md' },
        {
          type: 'box',
          layout: 'baseline',
          contents: [
            { type: 'icon', url: 'https://example.com/icon.png', size: 'sm' },
            { type: 'text', text: '09:30', flex: 0, margin: 'sm' },
            { type: 'filler' },
          ],
        },
      ],
    },
    footer: {
      type: 'box',
      layout: 'vertical',
      contents: [
        { type: 'button', style: 'primary', action: postback('{"a":"ans","s":"confirm","v":"yes"}', 'Confirm') },
        { type: 'button', style: 'link', action: { type: 'uri', label: 'Call us', uri: 'tel:+6621234567' } },
      ],
    },
    styles: { footer: { separator: true } },
  };
}

const flexMessage = (contents: unknown, altText = 'Appointment') => ({ type: 'flex', altText, contents });
const smallBubble = (label: string) => ({
  type: 'bubble',
  body: { type: 'box', layout: 'vertical', contents: [text(label)] },
});

/** A bubble whose JSON is about `kilobytes` KB, padded with one long text component. */
function bubbleOfSize(kilobytes: number) {
  const bubble = smallBubble('');
  const padding = 'x'.repeat(kilobytes * 1024 - JSON.stringify(bubble).length);
  return smallBubble(padding);
}

function richMenu(size = { width: 2500, height: 1686 }) {
  return {
    size,
    selected: true,
    name: 'main menu',
    chatBarText: 'Menu',
    areas: [
      { bounds: { x: 0, y: 0, width: 1250, height: 1686 }, action: postback('{"a":"menu","f":"book"}') },
      { bounds: { x: 1250, y: 0, width: 1250, height: 1686 }, action: postback('{"a":"menu","f":"help"}') },
    ],
  };
}

// ---------------------------------------------------------------------------------------

describe('generated line-schema.json', () => {
  const committed = JSON.parse(readFileSync(committedSchemaPath, 'utf8')) as {
    $id: string;
    definitions: Record<string, Record<string, unknown>>;
  };

  it('compiles every definition under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true, discriminator: true, allErrors: true });
    ajvFormats.default(ajv, ['uri', 'date-time', 'uuid']);
    ajv.addSchema(committed);
    for (const name of Object.keys(committed.definitions)) {
      expect(ajv.getSchema(`${committed.$id}#/definitions/${name}`), name).toBeTypeOf('function');
    }
  });

  it('turns discriminated bases into dispatchers and flattens subtypes with their base properties', () => {
    const { Message, TextMessage, FlexButton, FlexComponent } = committed.definitions;
    expect(Message).toMatchObject({ required: ['type'], discriminator: { propertyName: 'type' } });
    expect((Message!.properties as { type: { enum: string[] } }).type.enum).toEqual(
      expect.arrayContaining(['text', 'textV2', 'sticker', 'image', 'video', 'audio', 'location', 'imagemap', 'template', 'flex']),
    );
    // base (type, quickReply, sender) + own (text, emojis, quoteToken), tag pinned
    expect(TextMessage).toMatchObject({
      required: ['type', 'text'],
      properties: { type: { const: 'text' }, quickReply: {}, sender: {}, text: {}, emojis: {}, quoteToken: {} },
    });
    expect(FlexButton).toMatchObject({ required: ['type', 'action'], additionalProperties: false });
    expect((FlexComponent!.oneOf as unknown[]).length).toBe(9);
  });

  it.skipIf(!hasSpec)('is up to date with the spec (run `npm run line:schema` if this fails)', () => {
    const regenerated = serializeLineSchema(buildLineSchema(readFileSync(specPath, 'utf8')));
    expect(regenerated).toBe(readFileSync(committedSchemaPath, 'utf8'));
  });
});

describe.skipIf(!hasSpec)("the spec's own examples", () => {
  /**
   * The spec has no `example` on message schemas; the request-shaped examples it has are
   * the rich menu objects returned by GET /v2/bot/richmenu/{id} and /list, which are a
   * RichMenuRequest plus `richMenuId`. Any future example for a request body we validate
   * is picked up here too.
   */
  function collectExamples(): Array<{ where: string; kind: LineRequestKind; body: unknown }> {
    const spec = parseYaml(readFileSync(specPath, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const kindBySchema: Record<string, LineRequestKind> = {
      ReplyMessageRequest: 'reply',
      PushMessageRequest: 'push',
      MulticastRequest: 'multicast',
      RichMenuRequest: 'richmenu',
    };
    const found: Array<{ where: string; kind: LineRequestKind; body: unknown }> = [];
    const visitContent = (where: string, content: Record<string, { schema?: { $ref?: string }; example?: unknown; examples?: Record<string, { value: unknown }> }>) => {
      for (const media of Object.values(content)) {
        const schemaName = media.schema?.$ref?.split('/').pop() ?? '';
        const values = [
          ...(media.example === undefined ? [] : [media.example]),
          ...Object.values(media.examples ?? {}).map((example) => example.value),
        ];
        for (const value of values) {
          const kind = kindBySchema[schemaName];
          if (kind) found.push({ where, kind, body: value });
          if (schemaName === 'RichMenuResponse') found.push({ where, kind: 'richmenu', body: withoutRichMenuId(value) });
          if (schemaName === 'RichMenuListResponse') {
            for (const menu of (value as { richmenus: unknown[] }).richmenus) {
              found.push({ where, kind: 'richmenu', body: withoutRichMenuId(menu) });
            }
          }
        }
      }
    };
    for (const [route, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const op = operation as { requestBody?: { content?: never }; responses?: Record<string, { content?: never }> };
        if (op.requestBody?.content) visitContent(`${method} ${route} request`, op.requestBody.content);
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          if (response.content) visitContent(`${method} ${route} ${status}`, response.content);
        }
      }
    }
    return found;
  }

  function withoutRichMenuId(value: unknown): unknown {
    const { richMenuId: _ignored, ...rest } = value as Record<string, unknown>;
    return rest;
  }

  // Collected only when the spec is there: describe.skipIf still runs this body to collect tests.
  const examples = hasSpec ? collectExamples() : [];

  it('finds the rich menu examples', () => {
    expect(examples.filter((example) => example.kind === 'richmenu').length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((example) => [example.where, example] as const))('%s is valid', (_where, example) => {
    expect(validateLineRequest(example.kind, example.body)).toEqual([]);
  });
});

describe('text messages', () => {
  it('accepts a plain text message', () => {
    expect(validateMessages([text('Hello')])).toEqual([]);
  });

  it('reports a missing text at messages[0].text, in LINE error-body form', () => {
    const issues = validateLineRequest('reply', { replyToken: 'token', messages: [{ type: 'text' }] });
    expect(issues).toEqual([{ path: 'messages[0].text', message: 'must be specified' }]);
    expect(toLineErrorBody(issues)).toEqual({
      message: 'The request body has 1 error(s)',
      details: [{ message: 'must be specified', property: 'messages[0].text' }],
    });
  });

  it('rejects empty text and text over 5,000 characters', () => {
    expect(validateMessages([text(''), text('x'.repeat(5001)), text('x'.repeat(5000))])).toEqual([
      { path: 'messages[0].text', message: 'May not be empty' },
      { path: 'messages[1].text', message: 'size must be between 0 and 5000' },
    ]);
  });

  it('dispatches on type: unknown message types and subtype-specific required fields', () => {
    expect(validateMessages([{ type: 'carousel', text: 'hi' }])).toEqual([
      { path: 'messages[0].type', message: expect.stringMatching(/^Must be one of the following values: \[text, textV2, sticker, .*flex/) },
    ]);
    expect(validateMessages([{ type: 'image', originalContentUrl: 'https://example.com/a.jpg' }])).toEqual([
      { path: 'messages[0].previewImageUrl', message: 'must be specified' },
    ]);
    expect(validateMessages([{ text: 'no type' }])).toEqual([{ path: 'messages[0].type', message: 'must be specified' }]);
  });

  it('accepts the base Message properties (quickReply, sender) on every subtype', () => {
    const sender = { name: 'Morprom', iconUrl: 'https://example.com/icon.png' };
    expect(
      validateMessages([
        { ...text('hi'), sender },
        { type: 'sticker', packageId: '446', stickerId: '1988', sender },
        { type: 'location', title: 'Hospital', address: 'Bangkok', latitude: 13.75, longitude: 100.5 },
      ]),
    ).toEqual([]);
  });
});

describe('request-level limits', () => {
  it('rejects 6 messages (and 0) per request', () => {
    const six = Array.from({ length: 6 }, (_, i) => text(`m${i}`));
    expect(validateMessages(six)).toEqual([{ path: 'messages', message: 'size must be between 1 and 5' }]);
    expect(validateLineRequest('push', { to: 'U123', messages: six })).toEqual([
      { path: 'messages', message: 'size must be between 1 and 5' },
    ]);
    expect(validateMessages([])).toEqual([{ path: 'messages', message: 'size must be between 1 and 5' }]);
  });

  it('rejects a multicast to 501 recipients but accepts 500', () => {
    const recipients = (n: number) => Array.from({ length: n }, (_, i) => `U${i.toString(16).padStart(32, '0')}`);
    expect(validateLineRequest('multicast', { to: recipients(500), messages: [text('hi')] })).toEqual([]);
    expect(validateLineRequest('multicast', { to: recipients(501), messages: [text('hi')] })).toEqual([
      { path: 'to', message: 'size must be between 1 and 500' },
    ]);
  });

  it('requires replyToken / to', () => {
    expect(validateLineRequest('reply', { messages: [text('hi')] })).toEqual([{ path: 'replyToken', message: 'must be specified' }]);
    expect(validateLineRequest('push', { to: '', messages: [text('hi')] })).toEqual([{ path: 'to', message: 'May not be empty' }]);
  });
});

describe('quick replies', () => {
  const item = (i: number) => ({ type: 'action', action: { type: 'message', label: `Option ${i}`, text: `option ${i}` } });

  it('accepts 13 items and rejects 14', () => {
    const withItems = (n: number) => [{ ...text('Pick one'), quickReply: { items: Array.from({ length: n }, (_, i) => item(i)) } }];
    expect(validateMessages(withItems(13))).toEqual([]);
    expect(validateMessages(withItems(14))).toEqual([{ path: 'messages[0].quickReply.items', message: 'size must be between 0 and 13' }]);
  });
});

describe('flex messages', () => {
  it('accepts a bubble with box, text, span, image, icon, separator, filler and button', () => {
    expect(validateMessages([flexMessage(richBubble())])).toEqual([]);
  });

  it('rejects an unknown component type with the allowed values', () => {
    const bubble = richBubble();
    (bubble.body.contents as unknown[])[1] = { type: 'paragraph', text: 'nope' };
    expect(validateMessages([flexMessage(bubble)])).toEqual([
      {
        path: 'messages[0].contents.body.contents[1].type',
        message: 'Must be one of the following values: [box, button, image, video, icon, text, span, separator, filler]',
      },
    ]);
  });

  it('flags unknown properties on components and actions', () => {
    const bubble = richBubble();
    Object.assign(bubble.body.contents[0]!, { fontFamily: 'serif' });
    Object.assign(bubble.footer.contents[0]!.action, { payload: 'x' });
    expect(validateMessages([flexMessage(bubble)])).toEqual([
      { path: 'messages[0].contents.body.contents[0].fontFamily', message: 'invalid property' },
      { path: 'messages[0].contents.footer.contents[0].action.payload', message: 'invalid property' },
    ]);
  });

  it('reports required fields of nested subtypes (box without layout, action without type)', () => {
    const bubble = smallBubble('hi') as { body: Record<string, unknown> };
    delete bubble.body.layout;
    const button = { type: 'button', action: { label: 'x', uri: 'https://example.com' } };
    expect(validateMessages([flexMessage(bubble), flexMessage({ type: 'bubble', footer: { type: 'box', layout: 'vertical', contents: [button] } })])).toEqual([
      { path: 'messages[0].contents.body.layout', message: 'must be specified' },
      { path: 'messages[1].contents.footer.contents[0].action.type', message: 'must be specified' },
    ]);
  });

  it('accepts a carousel of 12 bubbles and rejects 13', () => {
    const carousel = (n: number) => ({ type: 'carousel', contents: Array.from({ length: n }, (_, i) => smallBubble(`b${i}`)) });
    expect(validateMessages([flexMessage(carousel(12))])).toEqual([]);
    expect(validateMessages([flexMessage(carousel(13))])).toEqual([
      { path: 'messages[0].contents.contents', message: 'size must be between 1 and 12' },
    ]);
  });

  it('requires carousel items to be bubbles', () => {
    expect(validateMessages([flexMessage({ type: 'carousel', contents: [{ type: 'box', layout: 'vertical', contents: [] }] })])).toContainEqual({
      path: 'messages[0].contents.contents[0].type',
      message: 'Must be one of the following values: [bubble]',
    });
  });

  it('rejects a 31 KB bubble but accepts a 29 KB one', () => {
    expect(validateMessages([flexMessage(bubbleOfSize(29))])).toEqual([]);
    expect(validateMessages([flexMessage(bubbleOfSize(31))])).toEqual([
      { path: 'messages[0].contents', message: 'bubble JSON must be at most 30720 bytes (30 KB); got 31744' },
    ]);
  });

  it('counts UTF-8 bytes, not characters (Thai is 3 bytes per character)', () => {
    const thai = smallBubble('ก'.repeat(11_000)); // ~33 KB of UTF-8, ~11 K characters
    expect(validateMessages([flexMessage(thai)])).toEqual([
      { path: 'messages[0].contents', message: expect.stringMatching(/^bubble JSON must be at most 30720 bytes/) },
    ]);
  });

  it('rejects a carousel over 50 KB even when every bubble fits', () => {
    const carousel = { type: 'carousel', contents: [bubbleOfSize(20), bubbleOfSize(20), bubbleOfSize(20)] };
    const issues = validateMessages([flexMessage(carousel)]);
    expect(issues).toEqual([{ path: 'messages[0].contents', message: expect.stringMatching(/^carousel JSON must be at most 51200 bytes \(50 KB\); got 6\d{4}$/) }]);
    // The pieced-together size equals a full serialisation.
    const got = Number(issues[0]!.message.split('got ')[1]);
    expect(got).toBe(Buffer.byteLength(JSON.stringify(carousel)));
  });

  it('rejects altText over 1,500 characters and empty altText', () => {
    expect(validateMessages([flexMessage(smallBubble('a'), 'x'.repeat(1500))])).toEqual([]);
    expect(validateMessages([flexMessage(smallBubble('a'), 'x'.repeat(1501)), flexMessage(smallBubble('a'), '')])).toEqual([
      { path: 'messages[0].altText', message: 'size must be between 0 and 1500' },
      { path: 'messages[1].altText', message: 'May not be empty' },
    ]);
  });

  it('requires altText', () => {
    expect(validateMessages([{ type: 'flex', contents: smallBubble('a') }])).toEqual([{ path: 'messages[0].altText', message: 'must be specified' }]);
  });
});

describe('actions', () => {
  const inButton = (action: unknown) =>
    flexMessage({ type: 'bubble', footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', action }] } });

  it('accepts a datetimepicker action', () => {
    const action = { type: 'datetimepicker', label: 'Pick a date', data: 'a=date', mode: 'date', initial: '2026-07-12', min: '2026-07-01', max: '2026-12-31' };
    expect(validateMessages([inButton(action)])).toEqual([]);
  });

  it('accepts uri actions with tel:, https: and line: schemes, and rejects a malformed uri', () => {
    for (const uri of ['tel:+6621234567', 'https://example.com/path?q=1', 'line://ti/p/@morprom']) {
      expect(validateMessages([inButton({ type: 'uri', label: 'Open', uri })]), uri).toEqual([]);
    }
    expect(validateMessages([inButton({ type: 'uri', label: 'Open', uri: 'not a uri' })])).toEqual([
      { path: 'messages[0].contents.footer.contents[0].action.uri', message: 'invalid uri' },
    ]);
  });

  it('rejects postback data over 300 characters wherever the action is', () => {
    const long = postback('d'.repeat(301));
    expect(postback('d'.repeat(LINE_LIMITS.postbackDataLength)).data).toHaveLength(300);
    const message = 'size must be between 0 and 300';
    // flex button
    expect(validateMessages([inButton(long)])).toEqual([{ path: 'messages[0].contents.footer.contents[0].action.data', message }]);
    // quick reply
    expect(validateMessages([{ ...text('hi'), quickReply: { items: [{ type: 'action', action: long }] } }])).toEqual([
      { path: 'messages[0].quickReply.items[0].action.data', message },
    ]);
    // template
    const buttons = { type: 'template', altText: 'Pick', template: { type: 'buttons', text: 'Pick one', actions: [postback('ok'), long] } };
    expect(validateMessages([buttons])).toEqual([{ path: 'messages[0].template.actions[1].data', message }]);
    // rich menu
    const menu = richMenu();
    menu.areas[1]!.action = long;
    expect(validateLineRequest('richmenu', menu)).toEqual([{ path: 'areas[1].action.data', message }]);
    // exactly 300 is fine
    expect(validateMessages([inButton(postback('d'.repeat(300)))])).toEqual([]);
  });

  it('accepts imagemap actions and checks them by their own discriminator', () => {
    const imagemap = {
      type: 'imagemap',
      baseUrl: 'https://example.com/imagemap',
      altText: 'Map',
      baseSize: { width: 1040, height: 1040 },
      actions: [
        { type: 'uri', linkUri: 'https://example.com', area: { x: 0, y: 0, width: 520, height: 1040 } },
        { type: 'message', text: 'hello', area: { x: 520, y: 0, width: 520, height: 1040 } },
        { type: 'postback', data: 'x', area: { x: 0, y: 0, width: 1, height: 1 } },
      ],
    };
    expect(validateMessages([imagemap])).toEqual([
      { path: 'messages[0].actions[2].type', message: 'Must be one of the following values: [message, uri, clipboard]' },
    ]);
  });
});

describe('templates', () => {
  it('rejects a buttons template with 5 actions', () => {
    const actions = Array.from({ length: 5 }, (_, i) => ({ type: 'message', label: `A${i}`, text: `a${i}` }));
    expect(validateMessages([{ type: 'template', altText: 'Pick', template: { type: 'buttons', text: 'Pick', actions } }])).toEqual([
      { path: 'messages[0].template.actions', message: 'size must be between 1 and 4' },
    ]);
  });

  it('requires exactly 2 actions on a confirm template', () => {
    const confirm = (n: number) => ({
      type: 'template',
      altText: 'Sure?',
      template: { type: 'confirm', text: 'Sure?', actions: Array.from({ length: n }, (_, i) => postback(`c${i}`, `C${i}`)) },
    });
    expect(validateMessages([confirm(2)])).toEqual([]);
    expect(validateMessages([confirm(3)])).toEqual([{ path: 'messages[0].template.actions', message: 'size must be between 2 and 2' }]);
  });
});

describe('rich menus', () => {
  it('accepts a 2500x1686 menu with postback areas', () => {
    expect(validateLineRequest('richmenu', richMenu())).toEqual([]);
  });

  it('rejects sizes LINE does not allow', () => {
    expect(validateLineRequest('richmenu', richMenu({ width: 3000, height: 1686 }))).toEqual([
      { path: 'size.width', message: 'must be between 800 and 2500' },
    ]);
    expect(validateLineRequest('richmenu', richMenu({ width: 2500, height: 200 }))).toEqual([
      { path: 'size.height', message: 'must be greater than or equal to 250' },
    ]);
    expect(validateLineRequest('richmenu', richMenu({ width: 1200, height: 1200 }))).toEqual([
      { path: 'size', message: 'aspect ratio (width / height) must be at least 1.45' },
    ]);
    expect(validateLineRequest('richmenu', richMenu({ width: 0, height: 1686 }))).toContainEqual({
      path: 'size.width',
      message: 'must be greater than or equal to 1',
    });
  });

  it('requires the fields the spec leaves optional, and caps chatBarText and areas', () => {
    const { areas: _areas, ...withoutAreas } = richMenu();
    expect(validateLineRequest('richmenu', withoutAreas)).toEqual([{ path: 'areas', message: 'must be specified' }]);
    expect(validateLineRequest('richmenu', { ...richMenu(), chatBarText: 'fifteen chars!!' })).toEqual([
      { path: 'chatBarText', message: 'size must be between 0 and 14' },
    ]);
    const many = richMenu();
    many.areas = Array.from({ length: 21 }, () => many.areas[0]!);
    expect(validateLineRequest('richmenu', many)).toEqual([{ path: 'areas', message: 'size must be between 0 and 20' }]);
  });
});

describe('malformed bodies', () => {
  it('reports a wrong root type without throwing', () => {
    expect(validateLineRequest('messages', 'hello')).toEqual([{ path: 'messages', message: 'must be an array' }]);
    expect(validateLineRequest('reply', null)).toEqual([{ path: '', message: 'must be an object' }]);
    expect(validateMessages([null, 42])).toEqual([
      { path: 'messages[0]', message: 'must be an object' },
      { path: 'messages[1]', message: 'must be an object' },
    ]);
  });

  it('counts every issue in the error body', () => {
    const issues = validateLineRequest('reply', { replyToken: 'token', messages: [{ type: 'text' }, { type: 'sticker' }] });
    expect(toLineErrorBody(issues)).toEqual({
      message: 'The request body has 3 error(s)',
      details: [
        { message: 'must be specified', property: 'messages[0].text' },
        { message: 'must be specified', property: 'messages[1].packageId' },
        { message: 'must be specified', property: 'messages[1].stickerId' },
      ],
    });
  });
});
