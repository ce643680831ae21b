/**
 * The emulator's chat UI: a phone-like page at `/emulator` (plain files in ./public) and
 * the JSON API under `/emulator/api` that it runs on.
 *
 * Every user action goes through the emulator's VirtualUser (or, for pictures, the same
 * event factory), so the bot receives exactly the webhook events the LINE app would send.
 * What the bot delivers reaches the page live as Server-Sent Events.
 *
 *   GET  /emulator/api/info                       the account's name
 *   GET  /emulator/api/users                      users of the UI
 *   POST /emulator/api/users                      { displayName?, userId? } → a new (or adopted) user
 *   GET  /emulator/api/users/:userId              friendship and the rich menu shown
 *   POST /emulator/api/users/:userId/follow       adds the account as a friend (or unblocks it)
 *   POST /emulator/api/users/:userId/unfollow     blocks the account
 *   POST /emulator/api/users/:userId/messages     { type: 'text', text } | { type: 'location', … } | { type: 'sticker', … }
 *   POST /emulator/api/users/:userId/image        an image/png or image/jpeg body
 *   GET  /emulator/api/users/:userId/actions      what `index` taps: actions on screen, then rich menu areas
 *   POST /emulator/api/users/:userId/tap          { index | area | action, value?, location? }
 *   GET  /emulator/api/users/:userId/chat         the chat so far (`?since=seq` for newer entries)
 *   GET  /emulator/api/users/:userId/richmenu     the rich menu shown: areas and image URL
 *   GET  /emulator/api/richmenus/:richMenuId/image
 *   GET  /emulator/api/content/:messageId         a picture a user sent
 *   GET  /emulator/api/events?userId=…            the chat and status, live (text/event-stream)
 *
 * Errors are RFC 9457 problem details (application/problem+json).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { messagingApi } from '@line/bot-sdk';
import { actionsInMessages, actionsInRichMenu, type TappableAction } from '../actions.js';
import type { TapOptions, VirtualUser } from '../client.js';
import { newUserId, USER_ID_PATTERN } from '../ids.js';
import type { LineEmulator } from '../index.js';
import type { WebhookDelivery } from '../webhook-sender.js';
import { ChatLog, type ChatEntry, type ChatEntryContent, type ChatUser } from './chat-log.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
/** How often a live stream checks for a new rich menu or friendship (the store has no event for them). */
const STATUS_POLL_MS = 250;
const KEEP_ALIVE_MS = 15_000;
/** Names for users created without one, so several users are easy to tell apart. */
const DEFAULT_NAMES = ['สมชาย', 'Malee', 'วันเพ็ญ', 'Anan', 'ประยูร', 'Pim', 'สุดา', 'Niran'];

/** An error that becomes a problem detail. */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

const LocationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  title: z.string().max(100).optional(),
  address: z.string().max(300).optional(),
});

const CreateUserBody = z.object({
  displayName: z.string().trim().min(1).max(20).optional(),
  userId: z.string().regex(USER_ID_PATTERN, 'a LINE user ID: U and 32 lowercase hex digits').optional(),
});

const MessageBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().max(5000).refine((text) => text.trim() !== '', 'must not be blank') }),
  LocationSchema.extend({ type: z.literal('location') }),
  z.object({ type: z.literal('sticker'), packageId: z.string().regex(/^\d+$/), stickerId: z.string().regex(/^\d+$/) }),
]);

const TapBody = z
  .object({
    /** Index into GET …/actions. */
    index: z.number().int().min(0).optional(),
    /** A rich menu area of the menu the user sees. */
    area: z.number().int().min(0).optional(),
    /** An action object from a message in the chat or the rich menu, as the page received it. */
    action: z.looseObject({ type: z.string() }).optional(),
    /** The value chosen in a date/time picker. */
    value: z.string().max(16).optional(),
    /** The place chosen for a location action. */
    location: LocationSchema.optional(),
  })
  .refine((body) => [body.index, body.area, body.action].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of index, area or action',
  });

/** Options for {@link createEmulatorUiRouter}. */
export interface EmulatorUiOptions {
  /** The account's name in the chat header (default "LINE Official Account"). */
  botName?: string;
}

/** Creates the chat UI for a running emulator; mount it at the root of an Express app. */
export function createEmulatorUiRouter(emulator: LineEmulator, options: EmulatorUiOptions = {}): Router {
  const { store } = emulator;
  const log = new ChatLog(store);
  let created = 0;

  const router = express.Router();
  router.get(['/emulator', '/emulator/'], (_req, res) => res.sendFile('index.html', { root: PUBLIC_DIR }));
  router.use('/emulator/assets', express.static(PUBLIC_DIR, { index: false }));

  const api = express.Router();
  router.use('/emulator/api', api);
  api.use(express.json({ limit: '256kb' }));

  api.get('/info', (_req, res) => {
    res.json({ botName: options.botName ?? 'LINE Official Account' });
  });

  // ------------------------------------------------------------------ users

  const statusOf = (user: ChatUser) => {
    const menu = store.richMenuShownTo(user.userId);
    return {
      ...user,
      friend: store.isFriend(user.userId),
      blocked: store.isBlocked(user.userId),
      richMenu: menu ? richMenuView(menu) : null,
    };
  };

  const richMenuView = (menu: messagingApi.RichMenuResponse) => ({
    richMenuId: menu.richMenuId,
    name: menu.name,
    chatBarText: menu.chatBarText,
    selected: menu.selected,
    size: menu.size,
    areas: actionsInRichMenu(menu).map((found) => ({
      index: found.areaIndex!,
      label: found.label,
      bounds: menu.areas[found.areaIndex!]!.bounds,
      action: found.action,
    })),
    imageUrl: store.hasRichMenuImage(menu.richMenuId) ? `/emulator/api/richmenus/${menu.richMenuId}/image` : null,
  });

  /** The UI user named in the path, and the emulator's virtual user behind them. */
  const known = (req: Request): { chatUser: ChatUser; user: VirtualUser } => {
    const userId = String(req.params.userId ?? req.query.userId ?? '');
    const chatUser = log.user(userId);
    if (!chatUser) throw new Problem(404, 'Unknown user', `${userId || '(none)'} is not a user of the chat UI; create it with POST /emulator/api/users`);
    return { chatUser, user: emulator.user(userId) };
  };

  api.get('/users', (_req, res) => {
    res.json({ users: log.listUsers().map(statusOf) });
  });

  api.post('/users', (req, res) => {
    const body = parse(CreateUserBody, req.body ?? {});
    const userId = body.userId ?? newUserId();
    const existing = log.user(userId);
    if (existing) {
      res.json(statusOf(existing));
      return;
    }
    const displayName = body.displayName ?? store.profile(userId)?.displayName ?? defaultName(created++);
    store.setProfile(userId, { displayName });
    res.status(201).location(`/emulator/api/users/${userId}`).json(statusOf(log.addUser({ userId, displayName })));
  });

  api.get('/users/:userId', (req, res) => {
    res.json(statusOf(known(req).chatUser));
  });

  api.post('/users/:userId/follow', async (req, res) => {
    const { chatUser, user } = known(req);
    const delivery = await act(user, [{ from: 'system', text: 'You added the account as a friend' }], () => user.follow());
    res.json({ webhook: webhookSummary(delivery), user: statusOf(chatUser) });
  });

  api.post('/users/:userId/unfollow', async (req, res) => {
    const { chatUser, user } = known(req);
    const delivery = await act(user, [{ from: 'system', text: 'You blocked the account' }], () => user.unfollow());
    res.json({ webhook: webhookSummary(delivery), user: statusOf(chatUser) });
  });

  // ------------------------------------------------------------------ sending

  api.post('/users/:userId/messages', async (req, res) => {
    const { user } = known(req);
    const body = parse(MessageBody, req.body);
    let delivery: WebhookDelivery;
    if (body.type === 'text') {
      delivery = await act(user, [{ from: 'user', message: { type: 'text', text: body.text } }], () => user.say(body.text));
    } else if (body.type === 'location') {
      const { type: _, ...location } = body;
      delivery = await act(user, [{ from: 'user', message: { type: 'location', location } }], () => user.sendLocation(location), true);
    } else {
      const sticker = { type: 'sticker' as const, packageId: body.packageId, stickerId: body.stickerId };
      delivery = await act(user, [{ from: 'user', message: sticker }], () => user.sendSticker(body.packageId, body.stickerId), true);
    }
    res.json({ webhook: webhookSummary(delivery) });
  });

  api.post('/users/:userId/image', express.raw({ type: ['image/png', 'image/jpeg'], limit: '10mb' }), async (req, res) => {
    const { chatUser } = known(req);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new Problem(415, 'Not an image', 'Send the picture as the body, with Content-Type image/png or image/jpeg');
    }
    // Built here rather than by VirtualUser.sendImage so the bubble can show the message ID's content.
    const event = emulator.sender.events.image(chatUser.userId, { bytes: req.body, contentType: req.get('content-type')! });
    log.append(chatUser.userId, { from: 'user', message: { type: 'image', messageId: (event.message as { id: string }).id } });
    const delivery = await emulator.sender.send(event);
    if (!delivery.ok) throw webhookProblem(delivery);
    res.json({ webhook: webhookSummary(delivery) });
  });

  // ------------------------------------------------------------------ tapping

  api.get('/users/:userId/actions', (req, res) => {
    const { user } = known(req);
    res.json({ actions: user.availableActions().map((found, index) => ({ index, ...found })) });
  });

  api.post('/users/:userId/tap', async (req, res) => {
    const { chatUser, user } = known(req);
    const body = parse(TapBody, req.body);
    const tapped = findTapped(chatUser, user, body);
    const { action } = tapped;
    if (action.type === 'camera' || action.type === 'cameraRoll') {
      throw new Problem(422, 'This action opens the camera', 'Send the picture with POST /emulator/api/users/{userId}/image');
    }
    if (action.type === 'location' && !body.location) {
      throw new Problem(422, 'Choose a location', 'A location action needs { location: { latitude, longitude, title?, address? } }');
    }
    const options: TapOptions = { ...(body.value !== undefined && { value: body.value }), ...(body.location && { location: body.location }) };
    // A location tap sends a location message, which VirtualUser's transcript does not list.
    const result = await act(user, entriesForTap(tapped, options), () => user.tapAction(tapped, options), action.type === 'location');
    res.json({
      tapped: { label: tapped.label, place: tapped.place, action, ...(tapped.areaIndex !== undefined && { areaIndex: tapped.areaIndex }) },
      ...(result.delivery && { webhook: webhookSummary(result.delivery) }),
      ...(result.uri !== undefined && { uri: result.uri }),
      ...(result.clipboardText !== undefined && { clipboardText: result.clipboardText }),
    });
  });

  /** Resolves a tap request to something the user can actually see and tap. */
  const findTapped = (chatUser: ChatUser, user: VirtualUser, body: z.infer<typeof TapBody>): TappableAction => {
    if (body.index !== undefined) {
      const available = user.availableActions();
      const found = available[body.index];
      if (!found) throw new Problem(422, 'No such action', `There are ${available.length} actions on screen (GET …/actions lists them)`);
      return found;
    }
    const menu = store.richMenuShownTo(chatUser.userId);
    const inMenu = menu ? actionsInRichMenu(menu) : [];
    if (body.area !== undefined) {
      const found = inMenu.find((candidate) => candidate.areaIndex === body.area);
      if (!found) throw new Problem(422, 'No such rich menu area', menu ? `The menu shown has ${menu.areas.length} areas` : 'The user sees no rich menu');
      return found;
    }
    // LINE keeps buttons of older messages tappable; quick replies only under the last message.
    const delivered = log
      .entries(chatUser.userId)
      .flatMap((entry) => (entry.from === 'bot' ? entry.messages : []));
    const wanted = canonical(body.action);
    const found = [...actionsInMessages(delivered), ...inMenu].find((candidate) => canonical(candidate.action) === wanted);
    if (!found) throw new Problem(422, 'Not on screen', 'That action is in none of the messages the user received nor in their rich menu');
    return found;
  };

  /**
   * Runs one VirtualUser action and logs `entries` for it. VirtualUser checks the action, then
   * notes the event in its transcript synchronously, before its webhook POST starts; so the
   * entries are logged exactly when the event is on its way (ahead of the bot's answer), and
   * an action it refuses logs nothing and answers 422. Actions that send a non-text message
   * leave no transcript line and cannot be refused: pass `alwaysSent`.
   */
  const act = async <T>(user: VirtualUser, entries: ChatEntryContent[], run: () => Promise<T>, alwaysSent = false): Promise<T> => {
    const logEntries = () => entries.forEach((entry) => log.append(user.userId, entry));
    if (alwaysSent) logEntries();
    const before = user.transcript.length;
    const pending = run();
    const sent = alwaysSent || user.transcript.length > before;
    if (sent && !alwaysSent) logEntries();
    try {
      return await pending;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (sent) throw new Problem(502, "The bot's webhook did not accept the event", message);
      throw new Problem(422, 'LINE would not send this', message);
    }
  };

  // ------------------------------------------------------------------ reading

  api.get('/users/:userId/chat', (req, res) => {
    const { chatUser } = known(req);
    res.json({ entries: log.entries(chatUser.userId, sinceOf(req.query.since)) });
  });

  api.get('/users/:userId/richmenu', (req, res) => {
    res.json({ richMenu: statusOf(known(req).chatUser).richMenu });
  });

  api.get('/richmenus/:richMenuId/image', (req, res) => {
    const image = store.richMenuImage(req.params.richMenuId);
    if (!image) throw new Problem(404, 'No such rich menu image', `${req.params.richMenuId} has no image`);
    // LINE never lets a menu's image be replaced, so a URL always means the same picture.
    res.type(image.contentType).set('cache-control', 'private, max-age=86400, immutable').send(image.bytes);
  });

  api.get('/content/:messageId', (req, res) => {
    const content = store.messageContent(req.params.messageId);
    if (!content) throw new Problem(404, 'No such content', `No picture with message ID ${req.params.messageId}`);
    res.type(content.contentType).send(content.bytes);
  });

  api.get('/events', (req, res) => {
    const { chatUser } = known(req);
    const since = sinceOf(req.get('last-event-id') ?? req.query.since);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown, id?: number) =>
      res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 1000\n\n');

    // Friendship and rich menu links change without a delivery: compare a cheap key.
    let statusKey = '';
    const sendStatusIfChanged = () => {
      const key = [store.isFriend(chatUser.userId), store.isBlocked(chatUser.userId), store.richMenuShownTo(chatUser.userId)?.richMenuId].join('|');
      if (key === statusKey) return;
      statusKey = key;
      send('status', statusOf(chatUser));
    };
    sendStatusIfChanged();
    for (const entry of log.entries(chatUser.userId, since)) send('entry', entry, entry.seq);
    const unwatch = log.watch(chatUser.userId, (entry: ChatEntry) => send('entry', entry, entry.seq));

    // A stream never idles, so the web server's close() would wait for the browser; end it
    // as soon as the server stops listening.
    const server = (req.socket as Socket & { server?: Server }).server;
    let sinceKeepAlive = 0;
    const timer = setInterval(() => {
      if (server && !server.listening) return void res.end();
      sendStatusIfChanged();
      if ((sinceKeepAlive += STATUS_POLL_MS) >= KEEP_ALIVE_MS) {
        sinceKeepAlive = 0;
        res.write(': keep-alive\n\n');
      }
    }, STATUS_POLL_MS);
    res.on('close', () => {
      clearInterval(timer);
      unwatch();
    });
  });

  api.use((req, _res, next) => next(new Problem(404, 'Not found', `${req.method} ${req.originalUrl} is not part of the chat UI API`)));
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(error);
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({ type: 'about:blank', title: problem.title, status: problem.status, ...(problem.detail && { detail: problem.detail }), ...problem.extra });
  });

  return router;
}

/** What the chat shows for a tap: LINE shows message texts and postback display texts. */
function entriesForTap(tapped: TappableAction, options: TapOptions): ChatEntryContent[] {
  const { action } = tapped;
  switch (action.type) {
    case 'message':
      return [{ from: 'user', message: { type: 'text', text: action.text ?? '' } }];
    case 'postback':
      return action.displayText ? [{ from: 'user', message: { type: 'text', text: action.displayText } }] : [];
    case 'datetimepicker':
      // LINE shows nothing; a quiet note makes the chat readable when judging a flow.
      return [{ from: 'system', text: `📅 ${options.value ?? action.initial ?? ''}` }];
    case 'location':
      return options.location ? [{ from: 'user', message: { type: 'location', location: options.location } }] : [];
    default:
      return [];
  }
}

function webhookSummary(delivery: WebhookDelivery): { status: number; ok: boolean } {
  return { status: delivery.status, ok: delivery.ok };
}

function webhookProblem(delivery: WebhookDelivery): Problem {
  const reason = delivery.error ? delivery.error.message : `HTTP ${delivery.status} ${delivery.responseText}`.trim();
  return new Problem(502, "The bot's webhook did not accept the event", reason);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
  throw new Problem(400, 'Invalid request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  // Body parsers: malformed JSON (400), too large (413), wrong charset (415).
  const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
  if (status === 413) return new Problem(413, 'Payload too large');
  if (status >= 400 && status < 500) return new Problem(status, 'Bad request', error instanceof Error ? error.message : undefined);
  return new Problem(500, 'Emulator UI error', error instanceof Error ? error.message : String(error));
}

function sinceOf(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** JSON with sorted keys: the same action compares equal however its keys were ordered. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function defaultName(n: number): string {
  const name = DEFAULT_NAMES[n % DEFAULT_NAMES.length]!;
  return n < DEFAULT_NAMES.length ? name : `${name} ${Math.floor(n / DEFAULT_NAMES.length) + 1}`;
}
