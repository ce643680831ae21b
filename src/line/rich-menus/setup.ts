/**
 * Creates (or refreshes) the guest and member rich menus on the LINE platform.
 *
 * Idempotent, and safe to run against a live channel:
 * - Each menu is created under a versioned name, `morprom-<key> <fingerprint>`, where the
 *   fingerprint is a hash of the request and the image. If our alias already points to a
 *   menu of that exact name, nothing about it changed and it is kept as it is.
 * - Otherwise the new menu is created and given its image, the alias is moved to it, the
 *   guest menu becomes the default, and only then are the old menus retired.
 * - Retiring: deleting a rich menu silently unlinks every user linked to it, which would drop
 *   registered users back to the guest menu. So the users of each old menu are first moved to
 *   the new menu of the same kind with LINE's batch "link from → to" operation, and the old
 *   menu is deleted only once that batch has succeeded. If the batch cannot be run, the old
 *   menus are left in place (and logged); the next run tries again.
 *
 * "Ours" means: named with RICH_MENU_NAME_PREFIX, or the target of one of our aliases.
 * Menus made by hand in the Official Account Manager are never touched.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { messagingApi } from '@line/bot-sdk';
import {
  RICH_MENU_IMAGE_MAX_BYTES,
  RICH_MENU_NAME_PREFIX,
  RICH_MENU_SIZES,
  richMenuDefinitions,
  richMenuKeys,
  type RichMenuDefinition,
  type RichMenuKey,
} from './definitions.js';

/** The parts of the SDK clients this module uses (the real clients satisfy it). */
export type RichMenuApi = Pick<
  messagingApi.MessagingApiClient,
  | 'validateRichMenuObject'
  | 'getRichMenuList'
  | 'getRichMenuAliasList'
  | 'createRichMenu'
  | 'deleteRichMenu'
  | 'createRichMenuAlias'
  | 'updateRichMenuAlias'
  | 'setDefaultRichMenu'
  | 'richMenuBatchWithHttpInfo'
  | 'getRichMenuBatchProgress'
>;
export type RichMenuBlobApi = Pick<messagingApi.MessagingApiBlobClient, 'setRichMenuImage'>;

export interface SetUpRichMenusDeps {
  api: RichMenuApi;
  blob: RichMenuBlobApi;
  log?: (msg: string) => void;
  /** Defaults to both definitions; tests pass their own. */
  definitions?: Readonly<Record<RichMenuKey, RichMenuDefinition>>;
  /** Waiting between batch progress checks (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for the relink batch before giving up on retiring old menus. */
  batchTimeoutMs?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, or null if `buf` is not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } | null {
  if (buf.length < 24 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (buf.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Reads a menu's image and checks what LINE would reject: format, exact size, bytes. */
export async function loadRichMenuImage(def: RichMenuDefinition): Promise<Buffer> {
  const image = await readFile(def.imageFile).catch((err: unknown) => {
    throw new Error(
      `rich menu ${def.key}: cannot read ${def.imageFile} (${(err as Error).message}); ` +
        'render it with `npm run richmenu:render`',
    );
  });
  const size = pngSize(image);
  const { width, height } = def.request.size;
  if (!size) throw new Error(`rich menu ${def.key}: ${def.imageFile} is not a PNG`);
  if (size.width !== width || size.height !== height) {
    throw new Error(
      `rich menu ${def.key}: image is ${size.width}×${size.height}, the menu is ${width}×${height}`,
    );
  }
  if (image.length > RICH_MENU_IMAGE_MAX_BYTES) {
    throw new Error(`rich menu ${def.key}: image is ${image.length} bytes; LINE allows ${RICH_MENU_IMAGE_MAX_BYTES}`);
  }
  if (!RICH_MENU_SIZES.some((s) => s.width === width && s.height === height)) {
    throw new Error(`rich menu ${def.key}: ${width}×${height} is not a size LINE accepts`);
  }
  return image;
}

/** `morprom-guest 1a2b3c4d5e6f`: the name says which menu and which version of it. */
export function versionedName(def: RichMenuDefinition, image: Buffer): string {
  const hash = createHash('sha256').update(JSON.stringify(def.request)).update(image).digest('hex');
  return `${def.request.name} ${hash.slice(0, 12)}`;
}

/** Which of our menus a name belongs to: `morprom-member …` → 'member'. */
function keyFromName(name: string): RichMenuKey | null {
  for (const key of richMenuKeys) {
    const base = `${RICH_MENU_NAME_PREFIX}${key}`;
    if (name === base || name.startsWith(`${base} `)) return key;
  }
  return null;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes the platform match the definitions and returns the rich menu id of each menu.
 * The member menu is not linked to anyone here: the bot links it per user on registration.
 */
export async function setUpRichMenus(deps: SetUpRichMenusDeps): Promise<Record<RichMenuKey, string>> {
  const { api, blob } = deps;
  const log = deps.log ?? (() => {});
  const definitions = deps.definitions ?? richMenuDefinitions;
  const sleep = deps.sleep ?? defaultSleep;

  // 1. Check everything before changing anything, so a bad image or request leaves the
  //    channel as it was.
  const planned = [] as { def: RichMenuDefinition; image: Buffer; request: messagingApi.RichMenuRequest }[];
  for (const key of richMenuKeys) {
    const def = definitions[key];
    const image = await loadRichMenuImage(def);
    const request: messagingApi.RichMenuRequest = { ...def.request, name: versionedName(def, image) };
    await api.validateRichMenuObject(request);
    planned.push({ def, image, request });
  }
  log('rich menu requests and images are valid');

  // 2. What is there now.
  const [{ richmenus }, { aliases }] = await Promise.all([api.getRichMenuList(), api.getRichMenuAliasList()]);
  const aliasTarget = new Map(aliases.map((a) => [a.richMenuAliasId, a.richMenuId]));
  const oursByAlias = new Map<string, RichMenuKey>();
  for (const key of richMenuKeys) {
    const target = aliasTarget.get(definitions[key].alias);
    if (target) oursByAlias.set(target, key);
  }

  // 3. Create what changed; keep what did not.
  const ids = {} as Record<RichMenuKey, string>;
  for (const { def, image, request } of planned) {
    const current = aliasTarget.get(def.alias);
    // The alias is moved only after the image upload, so an aliased menu is complete.
    const unchanged = richmenus.find((m) => m.richMenuId === current && m.name === request.name);
    if (unchanged) {
      ids[def.key] = unchanged.richMenuId;
      log(`${def.key}: unchanged (${unchanged.richMenuId})`);
      continue;
    }
    const { richMenuId } = await api.createRichMenu(request);
    await blob.setRichMenuImage(richMenuId, new Blob([new Uint8Array(image)], { type: 'image/png' }));
    ids[def.key] = richMenuId;
    log(`${def.key}: created ${richMenuId} (${request.name})`);
  }

  // 4. Point the aliases at the current menus.
  for (const key of richMenuKeys) {
    const { alias } = definitions[key];
    const current = aliasTarget.get(alias);
    if (current === ids[key]) continue;
    if (current === undefined) {
      await api.createRichMenuAlias({ richMenuAliasId: alias, richMenuId: ids[key] });
      log(`alias ${alias} → ${ids[key]} (created)`);
    } else {
      await api.updateRichMenuAlias(alias, { richMenuId: ids[key] });
      log(`alias ${alias} → ${ids[key]} (was ${current})`);
    }
  }

  // 5. Everyone without a per-user link sees the guest menu.
  await api.setDefaultRichMenu(ids.guest);
  log(`default rich menu → guest (${ids.guest})`);

  // 6. Retire our old menus, moving their users first.
  const currentIds = new Set(Object.values(ids));
  const old = richmenus
    .filter((m) => !currentIds.has(m.richMenuId))
    .map((m) => ({ id: m.richMenuId, name: m.name, key: keyFromName(m.name) ?? oursByAlias.get(m.richMenuId) ?? null }))
    .filter((m) => m.key !== null || m.name.startsWith(RICH_MENU_NAME_PREFIX));
  if (old.length === 0) return ids;

  const relink = old.filter((m): m is typeof m & { key: RichMenuKey } => m.key !== null);
  if (relink.length > 0) {
    const moved = await relinkUsers(api, relink.map((m) => ({ from: m.id, to: ids[m.key] })), {
      log,
      sleep,
      timeoutMs: deps.batchTimeoutMs ?? 120_000,
    });
    if (!moved) {
      log(`kept ${old.length} old rich menu(s) so their users keep a menu: ${old.map((m) => m.id).join(', ')}`);
      return ids;
    }
  }
  for (const m of old) {
    await api.deleteRichMenu(m.id);
    log(`deleted old rich menu ${m.id} (${m.name})`);
  }
  return ids;
}

/**
 * Moves every user linked to each `from` menu to its `to` menu (one batch request, then
 * polling its progress). Returns false, after logging why, if that could not be done.
 */
async function relinkUsers(
  api: RichMenuApi,
  moves: { from: string; to: string }[],
  opts: { log: (msg: string) => void; sleep: (ms: number) => Promise<void>; timeoutMs: number },
): Promise<boolean> {
  let requestId: string | null;
  try {
    const res = await api.richMenuBatchWithHttpInfo({
      operations: moves.map((m) => ({ type: 'link', from: m.from, to: m.to })),
    });
    // The batch answers with an empty body; progress is looked up by the request id.
    requestId = res.httpResponse.headers.get('x-line-request-id');
  } catch (err) {
    opts.log(`could not move users off the old rich menus: ${describeError(err)}`);
    return false;
  }
  if (!requestId) {
    opts.log('the rich menu batch answered without x-line-request-id; cannot follow its progress');
    return false;
  }
  const deadline = Date.now() + opts.timeoutMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    let phase: messagingApi.RichMenuBatchProgressPhase;
    try {
      ({ phase } = await api.getRichMenuBatchProgress(requestId));
    } catch (err) {
      opts.log(`could not follow rich menu batch ${requestId}: ${describeError(err)}`);
      return false;
    }
    if (phase === 'succeeded') {
      opts.log(`moved users off ${moves.length} old rich menu(s) (batch ${requestId})`);
      return true;
    }
    if (phase === 'failed') {
      opts.log(`rich menu batch ${requestId} failed`);
      return false;
    }
    if (Date.now() >= deadline) {
      opts.log(`rich menu batch ${requestId} still running after ${opts.timeoutMs} ms`);
      return false;
    }
    await opts.sleep(wait);
  }
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'status' in err && 'body' in err) {
    return `HTTP ${String(err.status)} ${String(err.body)}`;
  }
  return err instanceof Error ? err.message : String(err);
}
