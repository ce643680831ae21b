/**
 * Rich menu endpoints of the emulated API: menus, images (data host), aliases, the default
 * menu and per-user links. Error texts follow LINE's reference where it documents them.
 */
import type { messagingApi } from '@line/bot-sdk';
import {
  IssueList,
  checkObject,
  isRecord,
  lineError,
  ok,
  type ApiResult,
  type Route,
  type RouteDependencies,
  type ValidationIssue,
} from './route-contract.js';
import { USER_ID_PATTERN } from './ids.js';
import { isAllowedRichMenuImageSize, readImageInfo } from './image-info.js';

const ALIAS_ID_PATTERN = /^[a-z0-9_-]{1,32}$/;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg']);
const NOT_FOUND = lineError(404, 'Not found');
const NO_IMAGE = lineError(400, 'must upload richmenu image before applying it to user');
const INVALID_USER_ID = lineError(400, "The value for the 'userId' parameter is invalid");

/** Rich menu routes bound to a store. Among `:param` routes, the first match wins. */
export function richMenuRoutes({ store, check, invalid }: RouteDependencies): Route[] {
  /** A menu can be shown to users only once it exists and has an image. */
  const applicable = (richMenuId: string): ApiResult | undefined => {
    if (!store.richMenu(richMenuId)) return NOT_FOUND;
    return store.hasRichMenuImage(richMenuId) ? undefined : NO_IMAGE;
  };
  const checkBatch = (body: unknown): ApiResult | undefined => {
    const issues = batchStructure(body);
    if (issues.length > 0) return invalid(issues);
    for (const operation of (body as messagingApi.RichMenuBatchRequest).operations) {
      if (operation.type === 'link') {
        const rejected = applicable(operation.to);
        if (rejected) return rejected;
      }
    }
    return undefined;
  };
  const validUserId = (userId: string): ApiResult | undefined => (USER_ID_PATTERN.test(userId) ? undefined : INVALID_USER_ID);

  return [
    {
      method: 'post',
      path: '/v2/bot/richmenu',
      body: 'json',
      handle: ({ body }) => {
        const rejected = check('richmenu', body, richMenuStructure);
        if (rejected) return rejected;
        const { size, selected, name, chatBarText, areas } = body as messagingApi.RichMenuRequest;
        const richMenuId = store.createRichMenu({ size: size!, selected: selected!, name: name!, chatBarText: chatBarText!, areas: areas! });
        return ok({ richMenuId });
      },
    },
    {
      method: 'post',
      path: '/v2/bot/richmenu/validate',
      body: 'json',
      handle: ({ body }) => check('richmenu', body, richMenuStructure) ?? ok({}),
    },
    {
      method: 'get',
      path: '/v2/bot/richmenu/list',
      handle: () => ok({ richmenus: store.listRichMenus() }),
    },

    // Aliases
    {
      method: 'post',
      path: '/v2/bot/richmenu/alias',
      body: 'json',
      handle: ({ body }) => {
        const issues = aliasStructure(body, true);
        if (issues.length > 0) return invalid(issues);
        const { richMenuAliasId, richMenuId } = body as messagingApi.CreateRichMenuAliasRequest;
        // LINE reports a missing menu and a menu without image the same way here.
        if (applicable(richMenuId)) return lineError(400, 'richmenu not found', { details: [] });
        if (!store.createRichMenuAlias(richMenuAliasId, richMenuId)) {
          return lineError(400, 'conflict richmenu alias id', { details: [] });
        }
        return ok({});
      },
    },
    {
      method: 'get',
      path: '/v2/bot/richmenu/alias/list',
      handle: () => ok({ aliases: store.listRichMenuAliases() }),
    },
    {
      method: 'get',
      path: '/v2/bot/richmenu/alias/:richMenuAliasId',
      handle: ({ params }) => {
        const richMenuId = store.richMenuAlias(params.richMenuAliasId!);
        return richMenuId ? ok({ richMenuAliasId: params.richMenuAliasId, richMenuId }) : NOT_FOUND;
      },
    },
    {
      method: 'post',
      path: '/v2/bot/richmenu/alias/:richMenuAliasId',
      body: 'json',
      handle: ({ params, body }) => {
        const issues = aliasStructure(body, false);
        if (issues.length > 0) return invalid(issues);
        const { richMenuId } = body as messagingApi.UpdateRichMenuAliasRequest;
        if (applicable(richMenuId)) return lineError(400, 'richmenu not found', { details: [] });
        if (!store.updateRichMenuAlias(params.richMenuAliasId!, richMenuId)) {
          return lineError(400, 'richmenu alias not found', { details: [] });
        }
        return ok({});
      },
    },
    {
      method: 'delete',
      path: '/v2/bot/richmenu/alias/:richMenuAliasId',
      handle: ({ params }) =>
        store.deleteRichMenuAlias(params.richMenuAliasId!) ? ok({}) : lineError(400, 'richmenu alias not found', { details: [] }),
    },

    // Bulk link and unlink
    {
      method: 'post',
      path: '/v2/bot/richmenu/bulk/link',
      body: 'json',
      handle: ({ body }) => {
        const issues = userIdsStructure(body, true);
        if (issues.length > 0) return invalid(issues);
        const { richMenuId, userIds } = body as messagingApi.RichMenuBulkLinkRequest;
        const rejected = applicable(richMenuId);
        if (rejected) return rejected;
        for (const userId of userIds) store.linkRichMenu(userId, richMenuId);
        return ok({}, 202);
      },
    },
    {
      method: 'post',
      path: '/v2/bot/richmenu/bulk/unlink',
      body: 'json',
      handle: ({ body }) => {
        const issues = userIdsStructure(body, false);
        if (issues.length > 0) return invalid(issues);
        for (const userId of (body as messagingApi.RichMenuBulkUnlinkRequest).userIds) store.unlinkRichMenu(userId);
        return ok({}, 202);
      },
    },

    // Batch control: applied at once, so progress is immediately "succeeded".
    {
      method: 'post',
      path: '/v2/bot/richmenu/batch',
      body: 'json',
      handle: ({ body, requestId }) => {
        const rejected = checkBatch(body);
        if (rejected) return rejected;
        for (const operation of (body as messagingApi.RichMenuBatchRequest).operations) store.applyRichMenuBatchOperation(operation);
        store.recordRichMenuBatch(requestId);
        return ok({}, 202);
      },
    },
    {
      method: 'post',
      path: '/v2/bot/richmenu/validate/batch',
      body: 'json',
      handle: ({ body }) => checkBatch(body) ?? ok({}),
    },
    {
      method: 'get',
      path: '/v2/bot/richmenu/progress/batch',
      handle: ({ query }) => {
        const requestId = query.get('requestId');
        const progress = requestId ? store.richMenuBatchProgress(requestId) : undefined;
        return progress ? ok(progress) : NOT_FOUND;
      },
    },

    // One menu
    {
      method: 'get',
      path: '/v2/bot/richmenu/:richMenuId',
      handle: ({ params }) => {
        const menu = store.richMenu(params.richMenuId!);
        return menu ? ok(menu) : NOT_FOUND;
      },
    },
    {
      method: 'delete',
      path: '/v2/bot/richmenu/:richMenuId',
      handle: ({ params }) => (store.deleteRichMenu(params.richMenuId!) ? ok({}) : NOT_FOUND),
    },
    {
      method: 'post',
      path: '/v2/bot/richmenu/:richMenuId/content',
      body: 'binary',
      handle: ({ params, body, contentType }) => {
        const richMenuId = params.richMenuId!;
        if (!store.richMenu(richMenuId)) return NOT_FOUND;
        const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
        if (!IMAGE_TYPES.has(mediaType)) return lineError(415, `The content type, ${mediaType || 'none'}, is not supported`);
        if (store.hasRichMenuImage(richMenuId)) return lineError(400, 'An image has already been uploaded to the richmenu');
        const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
        const info = readImageInfo(bytes);
        if (!info || !isAllowedRichMenuImageSize(info)) return lineError(400, 'The image size is not allowed for richmenu');
        store.setRichMenuImage(richMenuId, { bytes, contentType: mediaType });
        return ok({});
      },
    },
    {
      method: 'get',
      path: '/v2/bot/richmenu/:richMenuId/content',
      handle: ({ params }) => {
        const content = store.richMenuImage(params.richMenuId!);
        return content ? { status: 200, body: undefined, content } : NOT_FOUND;
      },
    },

    // Default menu (literal "all" must precede the per-user `:userId` routes)
    {
      method: 'post',
      path: '/v2/bot/user/all/richmenu/:richMenuId',
      handle: ({ params }) => {
        const rejected = applicable(params.richMenuId!);
        if (rejected) return rejected;
        store.setDefaultRichMenu(params.richMenuId);
        return ok({});
      },
    },
    {
      method: 'get',
      path: '/v2/bot/user/all/richmenu',
      handle: () => {
        const richMenuId = store.defaultRichMenuId;
        return richMenuId ? ok({ richMenuId }) : lineError(404, 'no default richmenu', { details: [] });
      },
    },
    {
      method: 'delete',
      path: '/v2/bot/user/all/richmenu',
      handle: () => {
        store.setDefaultRichMenu(undefined);
        return ok({});
      },
    },

    // Per-user menu
    {
      method: 'post',
      path: '/v2/bot/user/:userId/richmenu/:richMenuId',
      handle: ({ params }) => {
        const rejected = validUserId(params.userId!) ?? applicable(params.richMenuId!);
        if (rejected) return rejected;
        store.linkRichMenu(params.userId!, params.richMenuId!);
        return ok({});
      },
    },
    {
      method: 'get',
      path: '/v2/bot/user/:userId/richmenu',
      handle: ({ params }) => {
        const rejected = validUserId(params.userId!);
        if (rejected) return rejected;
        const richMenuId = store.linkedRichMenuId(params.userId!);
        return richMenuId ? ok({ richMenuId }) : lineError(404, 'the user has no richmenu', { details: [] });
      },
    },
    {
      method: 'delete',
      path: '/v2/bot/user/:userId/richmenu',
      handle: ({ params }) => {
        const rejected = validUserId(params.userId!);
        if (rejected) return rejected;
        store.unlinkRichMenu(params.userId!);
        return ok({});
      },
    },
  ];
}

/**
 * The structure the emulator relies on (the client taps areas by their bounds and actions).
 * Limits are LINE's: 800–2500 px wide, ≥250 px high, ratio ≥1.45, name ≤300, chat bar
 * text ≤14, at most 20 areas.
 */
function richMenuStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const menu = checkObject(body, issues);
  if (!menu) return issues.issues;
  const size = menu.size;
  issues.requireIntegers(size, 'size', ['width', 'height']);
  if (isRecord(size) && Number.isInteger(size.width) && Number.isInteger(size.height)) {
    const width = size.width as number;
    const height = size.height as number;
    if (width < 800 || width > 2500 || height < 250 || width / height < 1.45) issues.add('size', 'invalid size');
  }
  if (typeof menu.selected !== 'boolean') issues.add('selected', 'must be specified');
  issues.requireString(menu, 'name', { maxLength: 300 });
  issues.requireString(menu, 'chatBarText', { maxLength: 14 });
  issues.requireArray(menu, 'areas', 0, 20)?.forEach((area, index) => {
    const path = `areas[${index}]`;
    if (!isRecord(area)) {
      issues.add(path, 'must be specified');
      return;
    }
    issues.requireIntegers(area.bounds, `${path}.bounds`, ['x', 'y', 'width', 'height']);
    if (!isRecord(area.action) || typeof area.action.type !== 'string') issues.add(`${path}.action.type`, 'must be specified');
  });
  return issues.issues;
}

function aliasStructure(body: unknown, creating: boolean): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (!request) return issues.issues;
  if (creating) issues.requireString(request, 'richMenuAliasId', { pattern: ALIAS_ID_PATTERN });
  issues.requireString(request, 'richMenuId');
  return issues.issues;
}

function userIdsStructure(body: unknown, withRichMenu: boolean): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (!request) return issues.issues;
  if (withRichMenu) issues.requireString(request, 'richMenuId');
  issues.requireArray(request, 'userIds', 1, 500)?.forEach((userId, index) => {
    if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) issues.add(`userIds[${index}]`, 'invalid');
  });
  return issues.issues;
}

function batchStructure(body: unknown): ValidationIssue[] {
  const issues = new IssueList();
  const request = checkObject(body, issues);
  if (!request) return issues.issues;
  issues.requireArray(request, 'operations', 1, 1000)?.forEach((operation, index) => {
    const path = `operations[${index}]`;
    if (!isRecord(operation)) {
      issues.add(path, 'must be specified');
      return;
    }
    const prefix = { prefix: path };
    if (operation.type === 'link') issues.requireString(operation, 'from', prefix).requireString(operation, 'to', prefix);
    else if (operation.type === 'unlink') issues.requireString(operation, 'from', prefix);
    else if (operation.type !== 'unlinkAll') issues.add(`${path}.type`, 'must be one of link, unlink, unlinkAll');
  });
  return issues.issues;
}
