/**
 * The LINE platform's side of webhooks: builds event objects the way LINE does, signs the
 * body with the channel secret and POSTs it to the bot.
 *
 * Building an event is the user's action happening: it issues the reply token and updates
 * friendship in the store, exactly once, however often the event is (re)delivered.
 */
import { createHmac } from 'node:crypto';
import type { webhook } from '@line/bot-sdk';
import { monotonicFactory } from 'ulid';
import { newQuoteToken, newUserId } from './ids.js';
import type { LinePlatformStore } from './store.js';

/** The `postback.params` a date/time picker or rich menu switch adds. */
export type PostbackParams =
  | { date: string }
  | { time: string }
  | { datetime: string }
  | { newRichMenuAliasId: string; status: 'SUCCESS' | 'RICHMENU_ALIAS_ID_NOTFOUND' | 'RICHMENU_NOTFOUND' | 'FAILED' };

/** A location as the LINE app sends it. */
export interface LocationInput {
  title?: string;
  address?: string;
  latitude: number;
  longitude: number;
}

/** An image a user sends; the bytes become downloadable from the content endpoint. */
export interface ImageInput {
  bytes?: Buffer;
  contentType?: string;
}

/** Result of one webhook POST. */
export interface WebhookDelivery {
  /** HTTP status the bot answered, or 0 when there was no answer (network error, timeout). */
  status: number;
  ok: boolean;
  /** The body as sent, for `redeliver`. */
  body: webhook.CallbackRequest;
  rawBody: string;
  signature: string;
  responseText: string;
  error?: Error;
}

/** Options for {@link WebhookSender}. */
export interface WebhookSenderOptions {
  channelSecret: string;
  store: LinePlatformStore;
  /** Where to POST; may be set later with {@link WebhookSender.setWebhookUrl}. */
  webhookUrl?: string;
  /** The bot's user ID in `destination`; random if omitted. */
  destination?: string;
  /** Give up on a webhook POST after this long (ms). Default 10 000. */
  timeoutMs?: number;
}

/** A 1×1 PNG, sent when a test does not care what the image shows. */
const PLACEHOLDER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** Signs a raw webhook body the way LINE does: base64 HMAC-SHA256 with the channel secret. */
export function signWebhookBody(rawBody: string, channelSecret: string): string {
  return createHmac('sha256', channelSecret).update(rawBody).digest('base64');
}

/** Builds realistic webhook events and records their side effects in the store. */
export class WebhookEventFactory {
  private readonly nextEventId = monotonicFactory();

  constructor(private readonly store: LinePlatformStore) {}

  /** A text message from the user. */
  text(userId: string, text: string): webhook.MessageEvent {
    return this.message(userId, { type: 'text', id: this.store.newMessageId(), text, quoteToken: newQuoteToken() });
  }

  /** A sticker from the user. */
  sticker(userId: string, packageId: string, stickerId: string): webhook.MessageEvent {
    return this.message(userId, {
      type: 'sticker',
      id: this.store.newMessageId(),
      packageId,
      stickerId,
      stickerResourceType: 'STATIC',
      quoteToken: newQuoteToken(),
    });
  }

  /** A location shared by the user. */
  location(userId: string, location: LocationInput): webhook.MessageEvent {
    return this.message(userId, { type: 'location', id: this.store.newMessageId(), ...location });
  }

  /** An image sent by the user, stored for `GET /v2/bot/message/{id}/content`. */
  image(userId: string, image: ImageInput = {}): webhook.MessageEvent {
    const id = this.store.newMessageId();
    this.store.putMessageContent(id, {
      bytes: image.bytes ?? PLACEHOLDER_PNG,
      contentType: image.contentType ?? (image.bytes ? 'image/jpeg' : 'image/png'),
    });
    return this.message(userId, { type: 'image', id, contentProvider: { type: 'line' }, quoteToken: newQuoteToken() });
  }

  /** A postback from a button, quick reply or rich menu area; `params` for pickers and switches. */
  postback(userId: string, data: string, params?: PostbackParams): webhook.PostbackEvent {
    this.store.noteContact(userId);
    return {
      ...this.base(userId),
      type: 'postback',
      replyToken: this.store.issueReplyToken(userId),
      postback: { data, ...(params && { params: params as Record<string, string> }) },
    };
  }

  /** The user adds the account as a friend, or unblocks it. */
  follow(userId: string): webhook.FollowEvent {
    const isUnblocked = this.store.follow(userId);
    return { ...this.base(userId), type: 'follow', replyToken: this.store.issueReplyToken(userId), follow: { isUnblocked } };
  }

  /** The user blocks the account. Unfollow events carry no reply token. */
  unfollow(userId: string): webhook.UnfollowEvent {
    this.store.block(userId);
    return { ...this.base(userId), type: 'unfollow' };
  }

  private message(userId: string, message: webhook.MessageContent): webhook.MessageEvent {
    this.store.noteContact(userId);
    return { ...this.base(userId), type: 'message', replyToken: this.store.issueReplyToken(userId), message };
  }

  private base(userId: string): Omit<webhook.EventBase, 'type'> & { source: webhook.UserSource } {
    const timestamp = this.store.now();
    return {
      timestamp,
      mode: 'active',
      webhookEventId: this.nextEventId(timestamp),
      deliveryContext: { isRedelivery: false },
      source: { type: 'user', userId },
    };
  }
}

/** Signs and POSTs webhook bodies to the bot. */
export class WebhookSender {
  /** Event builders; building issues reply tokens and updates friendship. */
  readonly events: WebhookEventFactory;
  /** The bot's user ID, sent as `destination`. */
  readonly destination: string;
  private webhookUrl: string | undefined;
  private readonly channelSecret: string;
  private readonly store: LinePlatformStore;
  private readonly timeoutMs: number;

  constructor(options: WebhookSenderOptions) {
    this.channelSecret = options.channelSecret;
    this.store = options.store;
    this.webhookUrl = options.webhookUrl;
    this.destination = options.destination ?? newUserId();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.events = new WebhookEventFactory(options.store);
  }

  /** Points the sender at the bot, e.g. once the bot's server has a port. */
  setWebhookUrl(url: string): void {
    this.webhookUrl = url;
  }

  /** Base64 HMAC-SHA256 of the raw body, as in `x-line-signature`. */
  sign(rawBody: string): string {
    return signWebhookBody(rawBody, this.channelSecret);
  }

  /** Sends one or more events in a single webhook body (LINE batches events this way). */
  send(events: webhook.Event | webhook.Event[]): Promise<WebhookDelivery> {
    return this.post({ destination: this.destination, events: Array.isArray(events) ? events : [events] });
  }

  /**
   * Sends a body again with the same event IDs and `deliveryContext.isRedelivery: true`,
   * as LINE does when the bot failed to answer. Unused reply tokens get a fresh minute.
   */
  redeliver(body: webhook.CallbackRequest): Promise<WebhookDelivery> {
    const events = body.events.map((event) => {
      if ('replyToken' in event && typeof event.replyToken === 'string') this.store.refreshReplyToken(event.replyToken);
      return { ...event, deliveryContext: { isRedelivery: true } };
    });
    return this.post({ ...body, events });
  }

  private async post(body: webhook.CallbackRequest): Promise<WebhookDelivery> {
    if (!this.webhookUrl) throw new Error('No webhook URL configured; call setWebhookUrl() first');
    const rawBody = JSON.stringify(body);
    const signature = this.sign(rawBody);
    const delivery = { body, rawBody, signature };
    try {
      const response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'LineBotWebhook/2.0',
          'x-line-signature': signature,
        },
        body: rawBody,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const responseText = await response.text();
      return { ...delivery, status: response.status, ok: response.ok, responseText };
    } catch (error) {
      return { ...delivery, status: 0, ok: false, responseText: '', error: error as Error };
    }
  }
}
