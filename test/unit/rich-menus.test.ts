import { readFileSync, statSync } from 'node:fs';
import type { messagingApi } from '@line/bot-sdk';
import { describe, expect, it } from 'vitest';
import { decodePostback } from '../../src/bot/postback.js';
import {
  CHAT_BAR_TEXT_MAX_LENGTH,
  RICH_MENU_NAME_PREFIX,
  richMenuDefinitions,
  richMenuKeys,
  type RichMenuDefinition,
  type RichMenuKey,
} from '../../src/line/rich-menus/definitions.js';
import { setUpRichMenus, type RichMenuApi, type RichMenuBlobApi } from '../../src/line/rich-menus/setup.js';

const LINE_SIZES = ['2500x1686', '2500x843'];
const ONE_MB = 1024 * 1024;

/** Width and height from the IHDR chunk, read here independently of the code under test. */
function readPngHeader(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(buf.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe.each(richMenuKeys.map((key) => [key, richMenuDefinitions[key]] as const))(
  'rich menu %s',
  (key, def) => {
    const { size, areas } = def.request;

    it('has one of the sizes LINE accepts', () => {
      expect(LINE_SIZES).toContain(`${size.width}x${size.height}`);
    });

    it('has a name, alias and chat bar text LINE accepts', () => {
      expect(def.key).toBe(key);
      expect(def.request.name.startsWith(RICH_MENU_NAME_PREFIX)).toBe(true);
      expect(def.request.name.length).toBeLessThanOrEqual(300 - 13); // room for the version suffix
      expect(def.alias).toMatch(/^[a-z0-9_-]{1,32}$/);
      expect(def.request.chatBarText.length).toBeGreaterThan(0);
      expect(def.request.chatBarText.length).toBeLessThanOrEqual(CHAT_BAR_TEXT_MAX_LENGTH);
      expect(areas.length).toBeGreaterThan(0);
      expect(areas.length).toBeLessThanOrEqual(20);
    });

    it('keeps every area inside the image', () => {
      for (const { bounds: b } of areas) {
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.y).toBeGreaterThanOrEqual(0);
        expect(b.width).toBeGreaterThan(0);
        expect(b.height).toBeGreaterThan(0);
        expect(b.x + b.width).toBeLessThanOrEqual(size.width);
        expect(b.y + b.height).toBeLessThanOrEqual(size.height);
      }
    });

    it('has no overlapping areas, and they cover the whole image', () => {
      for (const [i, a] of areas.entries()) {
        for (const b of areas.slice(i + 1)) {
          const overlaps =
            a.bounds.x < b.bounds.x + b.bounds.width &&
            b.bounds.x < a.bounds.x + a.bounds.width &&
            a.bounds.y < b.bounds.y + b.bounds.height &&
            b.bounds.y < a.bounds.y + a.bounds.height;
          expect(overlaps, `${JSON.stringify(a.bounds)} overlaps ${JSON.stringify(b.bounds)}`).toBe(false);
        }
      }
      const covered = areas.reduce((sum, a) => sum + a.bounds.width * a.bounds.height, 0);
      expect(covered).toBe(size.width * size.height);
    });

    it('sends a menu postback from every area, with Thai display text', () => {
      for (const [i, { action }] of areas.entries()) {
        expect(action.type).toBe('postback');
        const payload = decodePostback(action.data);
        expect(payload).toEqual({ a: 'menu', f: def.items[i]!.feature });
        expect(action.displayText).toMatch(/[\u0E00-\u0E7F]/);
        expect(action.displayText.length).toBeLessThanOrEqual(300);
        expect((action.label ?? '').length).toBeLessThanOrEqual(20);
      }
    });

    it('has a PNG of exactly its size, within 1 MB', () => {
      const buf = readFileSync(def.imageFile);
      expect(readPngHeader(buf)).toEqual({ width: size.width, height: size.height });
      expect(statSync(def.imageFile).size).toBeLessThanOrEqual(ONE_MB);
    });
  },
);

describe('menu contents', () => {
  const features = (key: RichMenuKey) =>
    richMenuDefinitions[key].request.areas.map((a) => decodePostback(a.action.data));

  it('guest: register, help, language', () => {
    expect(richMenuDefinitions.guest.request.size).toEqual({ width: 2500, height: 843 });
    expect(features('guest')).toEqual(
      ['register', 'help', 'language'].map((f) => ({ a: 'menu', f })),
    );
  });

  it('member: book, appointments, symptoms, certificate, profile, help', () => {
    expect(richMenuDefinitions.member.request.size).toEqual({ width: 2500, height: 1686 });
    expect(features('member')).toEqual(
      ['book', 'appointments', 'symptoms', 'certificate', 'profile', 'help'].map((f) => ({ a: 'menu', f })),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// setUpRichMenus against an in-memory LINE platform.

class FakeLine {
  menus = new Map<string, messagingApi.RichMenuResponse>();
  images = new Map<string, Blob>();
  aliases = new Map<string, string>();
  links = new Map<string, string>(); // userId → richMenuId
  defaultId: string | null = null;
  calls: string[] = [];
  batchPhase: messagingApi.RichMenuBatchProgressPhase = 'succeeded';
  batchFails = false;
  private seq = 0;

  api: RichMenuApi = {
    validateRichMenuObject: async (req) => {
      this.calls.push('validate');
      if (!req.size || !req.areas?.length) throw new Error('invalid');
      return {};
    },
    getRichMenuList: async () => ({ richmenus: [...this.menus.values()] }),
    getRichMenuAliasList: async () => ({
      aliases: [...this.aliases].map(([richMenuAliasId, richMenuId]) => ({ richMenuAliasId, richMenuId })),
    }),
    createRichMenu: async (req) => {
      const richMenuId = `richmenu-${++this.seq}`;
      this.calls.push(`create ${richMenuId}`);
      this.menus.set(richMenuId, {
        richMenuId,
        size: req.size!,
        selected: req.selected!,
        name: req.name!,
        chatBarText: req.chatBarText!,
        areas: req.areas!,
      });
      return { richMenuId };
    },
    deleteRichMenu: async (id) => {
      this.calls.push(`delete ${id}`);
      if (!this.menus.delete(id)) throw new Error(`no menu ${id}`);
      for (const [user, menu] of this.links) if (menu === id) this.links.delete(user);
      return {};
    },
    createRichMenuAlias: async ({ richMenuAliasId, richMenuId }) => {
      this.calls.push(`alias+ ${richMenuAliasId}`);
      if (this.aliases.has(richMenuAliasId)) throw new Error('conflict');
      this.aliases.set(richMenuAliasId, richMenuId);
      return {};
    },
    updateRichMenuAlias: async (aliasId, { richMenuId }) => {
      this.calls.push(`alias~ ${aliasId}`);
      if (!this.aliases.has(aliasId)) throw new Error('not found');
      this.aliases.set(aliasId, richMenuId);
      return {};
    },
    setDefaultRichMenu: async (id) => {
      if (!this.images.has(id)) throw new Error('menu has no image');
      this.defaultId = id;
      return {};
    },
    richMenuBatchWithHttpInfo: async ({ operations }) => {
      this.calls.push('batch');
      if (this.batchFails) throw new Error('batch not supported');
      for (const op of operations) {
        if (op.type !== 'link') continue;
        for (const [user, menu] of this.links) if (menu === op.from) this.links.set(user, op.to);
      }
      return { httpResponse: new Response(null, { headers: { 'x-line-request-id': 'req-1' } }), body: {} };
    },
    getRichMenuBatchProgress: async () => ({ phase: this.batchPhase, acceptedTime: new Date() }),
  };

  blob: RichMenuBlobApi = {
    setRichMenuImage: async (id, body) => {
      this.calls.push(`image ${id}`);
      if (!this.menus.has(id)) throw new Error(`no menu ${id}`);
      this.images.set(id, body!);
      return {};
    },
  };
}

const noSleep = async () => {};

describe('setUpRichMenus', () => {
  it('creates both menus with images, aliases and the guest default', async () => {
    const line = new FakeLine();
    const ids = await setUpRichMenus({ api: line.api, blob: line.blob, sleep: noSleep });

    expect(line.menus.size).toBe(2);
    expect(line.aliases.get('morprom-guest')).toBe(ids.guest);
    expect(line.aliases.get('morprom-member')).toBe(ids.member);
    expect(line.defaultId).toBe(ids.guest);
    expect(line.images.get(ids.member)?.type).toBe('image/png');
    expect(line.images.get(ids.member)?.size).toBe(statSync(richMenuDefinitions.member.imageFile).size);
    expect(line.menus.get(ids.guest)?.name).toMatch(/^morprom-guest [0-9a-f]{12}$/);
    // Everything is validated before the first change.
    expect(line.calls.slice(0, 2)).toEqual(['validate', 'validate']);
  });

  it('changes nothing when run again', async () => {
    const line = new FakeLine();
    const first = await setUpRichMenus({ api: line.api, blob: line.blob, sleep: noSleep });
    line.calls = [];
    const second = await setUpRichMenus({ api: line.api, blob: line.blob, sleep: noSleep });

    expect(second).toEqual(first);
    expect(line.calls.filter((c) => c !== 'validate')).toEqual([]);
  });

  it('replaces a changed menu, moves its users, then deletes the old one', async () => {
    const line = new FakeLine();
    const first = await setUpRichMenus({ api: line.api, blob: line.blob, sleep: noSleep });
    line.links.set('U1', first.member);
    line.menus.set('richmenu-by-hand', { ...line.menus.get(first.guest)!, richMenuId: 'richmenu-by-hand', name: 'Songkran promo' });

    const changed: Record<RichMenuKey, RichMenuDefinition> = {
      ...richMenuDefinitions,
      member: {
        ...richMenuDefinitions.member,
        request: { ...richMenuDefinitions.member.request, chatBarText: 'เมนูใหม่' },
      },
    };
    const second = await setUpRichMenus({ api: line.api, blob: line.blob, sleep: noSleep, definitions: changed });

    expect(second.guest).toBe(first.guest);
    expect(second.member).not.toBe(first.member);
    expect(line.aliases.get('morprom-member')).toBe(second.member);
    expect(line.links.get('U1')).toBe(second.member);
    expect(line.menus.has(first.member)).toBe(false);
    expect(line.menus.has('richmenu-by-hand')).toBe(true); // not ours: untouched
    expect(line.calls.indexOf('batch')).toBeLessThan(line.calls.indexOf(`delete ${first.member}`));
  });

  it('keeps old menus when their users cannot be moved', async () => {
    const line = new FakeLine();
    const first = await setUpRichMenus({ api: line.api, blob: line.blob, sleep: noSleep });
    line.links.set('U1', first.member);
    line.batchFails = true;
    const logs: string[] = [];
    const changed = {
      ...richMenuDefinitions,
      member: { ...richMenuDefinitions.member, request: { ...richMenuDefinitions.member.request, selected: false } },
    };
    const second = await setUpRichMenus({
      api: line.api,
      blob: line.blob,
      sleep: noSleep,
      definitions: changed,
      log: (m) => logs.push(m),
    });

    expect(line.aliases.get('morprom-member')).toBe(second.member);
    expect(line.menus.has(first.member)).toBe(true);
    expect(line.links.get('U1')).toBe(first.member);
    expect(logs.some((m) => m.startsWith('kept 1 old rich menu'))).toBe(true);
  });

  it('stops before changing anything when an image is wrong', async () => {
    const line = new FakeLine();
    const broken = {
      ...richMenuDefinitions,
      // The guest image has the wrong height for a full-size menu.
      member: { ...richMenuDefinitions.member, imageFile: richMenuDefinitions.guest.imageFile },
    };
    await expect(setUpRichMenus({ api: line.api, blob: line.blob, definitions: broken })).rejects.toThrow(
      /image is 2500×843, the menu is 2500×1686/,
    );
    expect(line.calls.filter((c) => c !== 'validate')).toEqual([]);
  });
});
