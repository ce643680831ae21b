/**
 * A programmable LINE user for tests: it follows, types, taps buttons and reads what the
 * bot sent, producing exactly the webhook events the LINE app would.
 *
 * "On screen" means the messages of the last read (`nextMessages`, or the unread messages
 * `tap` pulls in first) plus the rich menu the user currently sees.
 */
import type { messagingApi, webhook } from '@line/bot-sdk';
import { actionsInMessages, actionsInRichMenu, describeActions, type TappableAction } from './actions.js';
import { USER_ID_PATTERN } from './ids.js';
import { summarizeMessage, type Inbox, type LinePlatformStore } from './store.js';
import type { ImageInput, LocationInput, PostbackParams, WebhookDelivery, WebhookSender } from './webhook-sender.js';

type Message = messagingApi.Message;

/** Which action to tap: a label (exact text or pattern) or a rich menu area index. */
export type TapTarget = string | RegExp | number;

/** Options for {@link VirtualUser.tap}. */
export interface TapOptions {
  /** The value chosen in a date/time picker (`YYYY-MM-DD`, `HH:mm` or `YYYY-MM-DDTHH:mm`). */
  value?: string;
  /** The location chosen for a `location` action. */
  location?: LocationInput;
  /** Which of several different actions with the same label (0-based, in screen order). */
  nth?: number;
}

/** What a tap did. */
export interface TapResult {
  tapped: TappableAction;
  /** The webhook POST, for actions that produce an event. */
  delivery?: WebhookDelivery;
  /** The URI a `uri` action opens (no event is sent). */
  uri?: string;
  /** The text a `clipboard` action copies (no event is sent). */
  clipboardText?: string;
}

/** One line of the chat as the user saw it. */
export type TranscriptEntry =
  | { from: 'user'; text: string }
  | { from: 'user'; event: webhook.Event['type'] }
  | { from: 'bot'; message: Message };

/** Dependencies of a {@link VirtualUser}; `startLineEmulator` provides them. */
export interface VirtualUserDependencies {
  store: LinePlatformStore;
  sender: WebhookSender;
  /** Default wait for `nextMessages` (ms). */
  timeoutMs?: number;
  /** Throw when the bot's webhook answers non-2xx (default true): a test should notice. */
  requireWebhookOk?: boolean;
}

const PICKER_FORMATS = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}$/,
  datetime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/,
} as const;

/** A LINE user driving the bot through the emulator. Get one with `emulator.user(id)`. */
export class VirtualUser {
  /** Everything the user sent and read, in order. */
  readonly transcript: TranscriptEntry[] = [];
  private readonly inbox: Inbox;
  private screen: Message[] = [];

  constructor(
    readonly userId: string,
    private readonly deps: VirtualUserDependencies,
  ) {
    if (!USER_ID_PATTERN.test(userId)) throw new Error(`Not a LINE user ID (U + 32 hex digits): ${userId}`);
    // From the start: anything the bot pushed before the test picked this user up is unread.
    this.inbox = deps.store.inbox(userId, { fromStart: true });
  }

  /** Adds the account as a friend (or unblocks it). */
  follow(): Promise<WebhookDelivery> {
    return this.emit(this.events.follow(this.userId));
  }

  /** Blocks the account. */
  unfollow(): Promise<WebhookDelivery> {
    return this.emit(this.events.unfollow(this.userId));
  }

  /** Types and sends a text message. */
  say(text: string): Promise<WebhookDelivery> {
    this.transcript.push({ from: 'user', text });
    return this.emit(this.events.text(this.userId, text));
  }

  /** Sends a sticker. */
  sendSticker(packageId: string, stickerId: string): Promise<WebhookDelivery> {
    return this.emit(this.events.sticker(this.userId, packageId, stickerId));
  }

  /** Sends an image; the bot can download it from the content endpoint. */
  sendImage(image?: ImageInput): Promise<WebhookDelivery> {
    return this.emit(this.events.image(this.userId, image));
  }

  /** Shares a location. */
  sendLocation(location: LocationInput): Promise<WebhookDelivery> {
    return this.emit(this.events.location(this.userId, location));
  }

  /**
   * Waits until the bot has sent at least `count` messages (default 1) since the last read,
   * then returns all of them and puts them on screen.
   */
  async nextMessages(options: { count?: number; timeoutMs?: number } = {}): Promise<Message[]> {
    const messages = await this.inbox.nextMessages({ count: options.count, timeoutMs: options.timeoutMs ?? this.deps.timeoutMs });
    this.show(messages);
    return messages;
  }

  /** The messages on screen: the last batch read. */
  get lastMessages(): readonly Message[] {
    return this.screen;
  }

  /** The rich menu the user's app shows, if any. */
  get richMenu(): messagingApi.RichMenuResponse | undefined {
    return this.deps.store.richMenuShownTo(this.userId);
  }

  /** Everything tappable right now: actions in the messages on screen, then rich menu areas. */
  availableActions(): TappableAction[] {
    this.readUnread();
    const menu = this.richMenu;
    return [...actionsInMessages(this.screen), ...(menu ? actionsInRichMenu(menu) : [])];
  }

  /**
   * Taps a button, quick reply, template action, imagemap area or rich menu area and sends
   * what LINE would: message → text event; postback → postback event (its displayText is
   * shown, not sent); datetimepicker → postback with params; richmenuswitch → switches the
   * menu and sends a postback; uri/clipboard → no event. A number taps that rich menu area.
   */
  async tap(target: TapTarget, options: TapOptions = {}): Promise<TapResult> {
    return this.perform(this.find(target, options.nth), options);
  }

  /**
   * Taps an action the caller has already found, e.g. a button in an older message that is
   * still on screen in a chat UI (LINE keeps those tappable). Sends the same events as `tap`.
   */
  tapAction(tapped: TappableAction, options: TapOptions = {}): Promise<TapResult> {
    return this.perform(tapped, options);
  }

  /** Taps a date picker (`mode: 'date'`) and chooses `date` (`YYYY-MM-DD`). */
  pickDate(target: TapTarget, date: string): Promise<TapResult> {
    return this.pick(target, 'date', date);
  }

  /** Taps a time picker and chooses `time` (`HH:mm`). */
  pickTime(target: TapTarget, time: string): Promise<TapResult> {
    return this.pick(target, 'time', time);
  }

  /** Taps a date-time picker and chooses `datetime` (`YYYY-MM-DDTHH:mm`). */
  pickDateTime(target: TapTarget, datetime: string): Promise<TapResult> {
    return this.pick(target, 'datetime', datetime);
  }

  private async pick(target: TapTarget, mode: keyof typeof PICKER_FORMATS, value: string): Promise<TapResult> {
    const tapped = this.find(target);
    const { action } = tapped;
    if (action.type !== 'datetimepicker' || (action.mode ?? 'datetime') !== mode) {
      throw new Error(`"${tapped.label}" is not a ${mode} picker (it is a ${action.type} action)`);
    }
    return this.perform(tapped, { value });
  }

  private async perform(tapped: TappableAction, options: TapOptions): Promise<TapResult> {
    const { action } = tapped;
    switch (action.type) {
      case 'message':
        return { tapped, delivery: await this.say(action.text ?? '') };
      case 'postback':
        if (action.displayText) this.transcript.push({ from: 'user', text: action.displayText });
        return { tapped, delivery: await this.emit(this.events.postback(this.userId, action.data ?? '')) };
      case 'datetimepicker':
        return { tapped, delivery: await this.emit(this.events.postback(this.userId, action.data ?? '', pickerParams(action, options.value))) };
      case 'richmenuswitch':
        return { tapped, delivery: await this.switchRichMenu(action) };
      case 'uri':
        return { tapped, ...(action.uri !== undefined && { uri: action.uri }) };
      case 'clipboard':
        return { tapped, clipboardText: action.clipboardText };
      case 'location':
        if (!options.location) throw new Error(`"${tapped.label}" opens the location picker: pass { location } to tap()`);
        return { tapped, delivery: await this.sendLocation(options.location) };
      default:
        throw new Error(`"${tapped.label}" is a ${action.type} action, which needs the camera; use sendImage() instead`);
    }
  }

  private get events() {
    return this.deps.sender.events;
  }

  private async emit(event: webhook.Event): Promise<WebhookDelivery> {
    if (event.type !== 'message') this.transcript.push({ from: 'user', event: event.type });
    const delivery = await this.deps.sender.send(event);
    if (!delivery.ok && this.deps.requireWebhookOk !== false) {
      const reason = delivery.error ? delivery.error.message : `HTTP ${delivery.status} ${delivery.responseText}`.trim();
      throw new Error(`Webhook rejected the ${event.type} event from ${this.userId}: ${reason}`);
    }
    return delivery;
  }

  /** LINE switches the menu on the device first, then reports the outcome in a postback. */
  private switchRichMenu(action: messagingApi.RichMenuSwitchAction): Promise<WebhookDelivery> {
    const aliasId = action.richMenuAliasId ?? '';
    const richMenuId = this.deps.store.richMenuAlias(aliasId);
    if (richMenuId) this.deps.store.showRichMenu(this.userId, richMenuId);
    const params: PostbackParams = { newRichMenuAliasId: aliasId, status: richMenuId ? 'SUCCESS' : 'RICHMENU_ALIAS_ID_NOTFOUND' };
    return this.emit(this.events.postback(this.userId, action.data ?? '', params));
  }

  /** Messages that arrived since the last read replace what is on screen. */
  private readUnread(): void {
    const unread = this.inbox.take().flatMap((delivery) => delivery.messages);
    if (unread.length > 0) this.show(unread);
  }

  private show(messages: Message[]): void {
    this.screen = messages;
    for (const message of messages) this.transcript.push({ from: 'bot', message });
  }

  private find(target: TapTarget, nth?: number): TappableAction {
    const available = this.availableActions();
    if (typeof target === 'number') {
      const area = available.find((found) => found.areaIndex === target);
      if (area) return area;
      throw new Error(`No rich menu area ${target} for ${this.userId}. Available:\n  ${describeActions(available)}`);
    }
    const matches = available.filter((found) => (typeof target === 'string' ? found.label === target : target.test(found.label)));
    // A button in a message wins over a rich menu area with the same label: it is what the
    // user is looking at.
    const inMessages = matches.filter((found) => found.place !== 'rich menu');
    const candidates = distinctActions(inMessages.length > 0 ? inMessages : matches);
    if (candidates.length === 0) {
      const onScreen = this.screen.map(summarizeMessage).join(', ') || 'no messages';
      throw new Error(`Nothing labelled ${String(target)} to tap (on screen: ${onScreen}). Available:\n  ${describeActions(available)}`);
    }
    if (nth !== undefined) {
      const chosen = candidates[nth];
      if (!chosen) throw new Error(`Only ${candidates.length} action(s) labelled ${String(target)}; nth ${nth} is out of range`);
      return chosen;
    }
    if (candidates.length > 1) {
      throw new Error(`${candidates.length} different actions are labelled ${String(target)}; pass { nth }:\n  ${describeActions(candidates)}`);
    }
    return candidates[0]!;
  }
}

/** Drops repeats of the same action (e.g. a label shown twice that does the same thing). */
function distinctActions(actions: TappableAction[]): TappableAction[] {
  const seen = new Set<string>();
  return actions.filter((found) => {
    const key = JSON.stringify(found.action);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The `params` LINE sends for a picker. Like the app, it refuses values outside min/max;
 * without a chosen value the picker's `initial` is confirmed.
 */
function pickerParams(action: messagingApi.DatetimePickerAction, chosen: string | undefined): PostbackParams {
  const mode = action.mode ?? 'datetime';
  const value = chosen ?? action.initial;
  const label = action.label ?? action.data ?? mode;
  if (value === undefined) throw new Error(`"${label}" is a ${mode} picker: choose a value with pick${capitalize(mode)}() or { value }`);
  if (!PICKER_FORMATS[mode].test(value)) throw new Error(`"${value}" is not a valid ${mode} for "${label}"`);
  // Fixed-width ISO formats compare correctly as strings.
  if ((action.min && value < action.min) || (action.max && value > action.max)) {
    throw new Error(`${value} is outside ${action.min ?? '…'}–${action.max ?? '…'} allowed by "${label}"`);
  }
  if (mode === 'date') return { date: value };
  if (mode === 'time') return { time: value };
  return { datetime: value };
}

function capitalize(mode: string): string {
  return mode === 'datetime' ? 'DateTime' : mode[0]!.toUpperCase() + mode.slice(1);
}
