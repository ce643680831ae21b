/**
 * The conversation engine: takes one webhook event of one user with that user's stored
 * state, decides (router → flow step) and returns the new state and the messages to send.
 * It performs no I/O of its own beyond what flows do through ctx.db; the caller
 * (jobs/line-events.worker.ts) persists everything in one transaction and delivers after.
 */
import type { webhook } from '@line/bot-sdk';
import type { AnyFlow, RichMenuKey, StepOutcome, UserInput } from './flow.js';
import type { BotContext, BotServices } from './context.js';
import { decodePostback, type FeatureId } from './postback.js';
import { route, featureFlows, comingSoonFeatures } from './router.js';
import { isMessageKey, translator, type Locale } from '../i18n/index.js';
import type { LineMessage } from '../line/line-gateway.js';
import { postbackAction, textMessage, withQuickReplies } from '../line/message-builders.js';
import { getRegistrationStatus } from '../domain/registration/get-registration-status.js';
import type { Db } from '../db/client.js';

/** What is stored per LINE user (ConversationSession row). */
export interface SessionState {
  flowId: string | null;
  step: string | null;
  data: unknown;
  version: number;
  expiresAt: Date | null;
}

export const emptySession: SessionState = { flowId: null, step: null, data: null, version: 0, expiresAt: null };

export interface EngineResult {
  session: SessionState;
  locale: Locale;
  messages: LineMessage[];
  richMenu?: RichMenuKey;
  /** follow / unfollow change whether we may push to the user. */
  following?: boolean;
  /** The registration status given, when no flow ran that could have changed it. */
  registration?: RegistrationStatus;
}

export interface EngineDeps {
  flows: AnyFlow[];
  services: BotServices;
  sessionTtlMinutes: number;
}

/** Converts a LINE event into what flows understand; null for events we do not answer. */
export function toUserInput(event: webhook.Event): UserInput | null {
  if (event.type === 'message') {
    const message = event.message;
    if (message.type === 'text') return { kind: 'text', text: message.text };
    if (message.type === 'location') {
      return { kind: 'location', latitude: message.latitude, longitude: message.longitude, title: message.title ?? undefined, address: message.address ?? undefined };
    }
    return { kind: 'unsupported', type: message.type };
  }
  if (event.type === 'postback') {
    const payload = decodePostback(event.postback.data);
    if (!payload) return { kind: 'unsupported', type: 'postback' };
    const params = event.postback.params as { date?: string; time?: string; datetime?: string } | undefined;
    return { kind: 'postback', payload, ...(params ? { params } : {}) };
  }
  return null;
}

/** Whether the account registered itself, and how many family members it manages. */
type RegistrationStatus = Awaited<ReturnType<typeof getRegistrationStatus>>;

/**
 * The registration status the caller already read for an event (the chat round reads it with
 * the conversation, saving a query per event), until a flow runs: a flow may register or
 * erase people, so after one the status is read again.
 */
const knownRegistration = new WeakMap<BotContext, RegistrationStatus>();

export function createBotEngine(deps: EngineDeps) {
  const flows = new Map(deps.flows.map((f) => [f.id, f]));
  const ttlMs = deps.sessionTtlMinutes * 60_000;

  async function handle(options: {
    db: Db;
    lineUserId: string;
    locale: Locale;
    session: SessionState;
    event: webhook.Event;
    now: Date;
    /** The account's registration status as of this event, if the caller has it. */
    registration?: RegistrationStatus;
  }): Promise<EngineResult> {
    const { event, now } = options;
    let locale = options.locale;
    const ctx: BotContext = {
      lineUserId: options.lineUserId,
      get locale() {
        return locale;
      },
      get t() {
        return translator(locale);
      },
      now,
      db: options.db,
      services: deps.services,
      setLocale(next) {
        locale = next;
      },
    };
    if (options.registration) knownRegistration.set(ctx, options.registration);
    const out: LineMessage[] = [];
    const result = (session: SessionState, extra: Partial<EngineResult> = {}): EngineResult => {
      // Still true after this event when no flow ran: the caller may pass it to the next one.
      const registration = knownRegistration.get(ctx);
      return { session, locale, messages: out, ...(registration ? { registration } : {}), ...extra };
    };

    if (event.type === 'unfollow') return result(emptySession, { following: false });
    if (event.type === 'follow') {
      const status = await registrationStatus(ctx);
      out.push(textMessage(ctx.t('follow.greeting')));
      if (status.hasSelf) {
        out.push(await helpMessage(ctx));
        return result(emptySession, { following: true, richMenu: 'member' });
      }
      const started = await startFeature(ctx, 'register', out);
      return result(started.session, { following: true, ...(started.richMenu ? { richMenu: started.richMenu } : {}) });
    }

    const input = toUserInput(event);
    if (!input) return result(options.session);

    let session = options.session;
    if (session.flowId && session.expiresAt && session.expiresAt.getTime() < now.getTime()) {
      out.push(textMessage(ctx.t('common.sessionExpired', { minutes: deps.sessionTtlMinutes })));
      session = emptySession;
    }
    const flowActive = session.flowId !== null;
    const decision = route(input, flowActive);

    switch (decision.kind) {
      case 'cancel':
        out.push(await helpMessage(ctx, flowActive ? ctx.t('common.cancelled') : undefined));
        return result(emptySession);
      case 'setLanguage': {
        ctx.setLocale(decision.locale);
        out.push(textMessage(ctx.t('language.switched')));
        if (flowActive && loadFlow(session)) return result(await reprompt(ctx, session, out));
        out.push(await helpMessage(ctx));
        return result(emptySession);
      }
      case 'helpInFlow':
        out.push(await helpMessage(ctx, ctx.t('common.stillWaiting')));
        return result(await reprompt(ctx, session, out));
      case 'feature': {
        if (flowActive && (decision.feature === 'help' || decision.feature === 'language')) {
          // Help and language do not end the step the user is in.
          await startFeature(ctx, decision.feature, out);
          return result({ ...session, expiresAt: new Date(now.getTime() + ttlMs) });
        }
        // Any other rich-menu tap mid-flow starts that feature; say that the old step was left.
        if (flowActive) out.push(textMessage(ctx.t('common.leftFlow')));
        const started = await startFeature(ctx, decision.feature, out, decision.param);
        return result(started.session, started.richMenu ? { richMenu: started.richMenu } : {});
      }
      case 'help': {
        if (input.kind === 'postback' && input.payload.a === 'ans') {
          // A button of a flow that has ended: its flow may still know the answer.
          const answered = await answerStale(ctx, input.payload);
          if (answered) {
            out.push(...answered);
            return result(emptySession);
          }
          out.push(textMessage(ctx.t('error.staleButton')));
        }
        out.push(await helpMessage(ctx));
        return result(emptySession);
      }
      case 'continue': {
        const applied = await continueFlow(ctx, session, input, out);
        return result(applied.session, applied.richMenu ? { richMenu: applied.richMenu } : {});
      }
    }
  }

  /** Loads the flow of a session, or null when the state is from an older version or unreadable. */
  function loadFlow(session: SessionState): { flow: AnyFlow; data: unknown; step: string } | null {
    const flow = session.flowId ? flows.get(session.flowId) : undefined;
    if (!flow || !session.step || flow.version !== session.version || !flow.steps[session.step]) return null;
    const parsed = flow.dataSchema.safeParse(session.data);
    return parsed.success ? { flow, data: parsed.data, step: session.step } : null;
  }

  async function continueFlow(ctx: BotContext, session: SessionState, input: UserInput, out: LineMessage[]) {
    const loaded = loadFlow(session);
    if (!loaded) {
      // Written by an older flow version: restart politely rather than misread it.
      out.push(textMessage(ctx.t('common.flowRestarted')));
      const flow = session.flowId ? flows.get(session.flowId) : undefined;
      if (!flow) {
        out.push(await helpMessage(ctx));
        return { session: emptySession };
      }
      flowRuns(ctx);
      return apply(ctx, flow, emptySession, await flow.start(ctx), out);
    }
    const { flow, data, step } = loaded;
    flowRuns(ctx);
    if (input.kind === 'postback' && input.payload.a === 'ans' && input.payload.s !== step) {
      return apply(ctx, flow, session, { type: 'reprompt', reason: (await answerStale(ctx, input.payload)) ?? 'error.staleButton' }, out);
    }
    if (input.kind === 'unsupported') {
      return apply(ctx, flow, session, { type: 'reprompt', reason: 'common.unsupportedInput' }, out);
    }
    return apply(ctx, flow, session, await flow.steps[step]!.handle(ctx, input, data), out);
  }

  /**
   * An answer to a step that is not the current one: the first flow with that step whose
   * onStaleAnswer recognises the button answers it; null when none does ("expired").
   */
  async function answerStale(ctx: BotContext, answer: { s: string; v: string }): Promise<LineMessage[] | null> {
    for (const flow of flows.values()) {
      if (!flow.onStaleAnswer || !Object.hasOwn(flow.steps, answer.s)) continue;
      flowRuns(ctx);
      const answered = await flow.onStaleAnswer(ctx, answer.s, answer.v);
      if (answered) return answered;
    }
    return null;
  }

  async function reprompt(ctx: BotContext, session: SessionState, out: LineMessage[]): Promise<SessionState> {
    const loaded = loadFlow(session);
    if (!loaded) return emptySession;
    out.push(...(await loaded.flow.steps[loaded.step]!.prompt(ctx, loaded.data)));
    return { ...session, expiresAt: new Date(ctx.now.getTime() + ttlMs) };
  }

  async function startFeature(
    ctx: BotContext,
    feature: FeatureId,
    out: LineMessage[],
    param?: string,
  ): Promise<{ session: SessionState; richMenu?: RichMenuKey }> {
    if (feature === 'help') {
      out.push(await helpMessage(ctx));
      return { session: emptySession };
    }
    if (feature === 'language') {
      out.push(
        textMessage(ctx.t('language.choose'), [
          postbackAction('ภาษาไทย', { a: 'lang', l: 'th' }, 'ภาษาไทย'),
          postbackAction('English', { a: 'lang', l: 'en' }, 'English'),
        ]),
      );
      return { session: emptySession };
    }
    const flow = flows.get(featureFlows[feature] ?? '');
    if (!flow) {
      const lead = comingSoonFeatures.has(feature) ? ctx.t('common.comingSoon', { feature: ctx.t(`feature.${feature}`) }) : undefined;
      out.push(await helpMessage(ctx, lead));
      return { session: emptySession };
    }
    flowRuns(ctx);
    return apply(ctx, flow, emptySession, await flow.start(ctx, param), out);
  }

  async function apply(
    ctx: BotContext,
    flow: AnyFlow,
    session: SessionState,
    outcome: StepOutcome<unknown>,
    out: LineMessage[],
  ): Promise<{ session: SessionState; richMenu?: RichMenuKey }> {
    const expiresAt = new Date(ctx.now.getTime() + ttlMs);
    switch (outcome.type) {
      case 'next': {
        out.push(...(outcome.messages ?? []));
        out.push(...(await flow.steps[outcome.step]!.prompt(ctx, outcome.data)));
        return { session: { flowId: flow.id, step: outcome.step, data: outcome.data, version: flow.version, expiresAt } };
      }
      case 'reprompt': {
        if (Array.isArray(outcome.reason)) out.push(...outcome.reason);
        else if (isMessageKey(outcome.reason)) out.push(textMessage(ctx.t(outcome.reason)));
        const next = await reprompt(ctx, session, out);
        return { session: next };
      }
      case 'done':
        out.push(...outcome.messages);
        return { session: emptySession, ...(outcome.richMenu ? { richMenu: outcome.richMenu } : {}) };
      case 'cancelled':
        out.push(...(outcome.messages ?? [await helpMessage(ctx, ctx.t('common.cancelled'))]));
        return { session: emptySession };
      case 'switch':
        return startFeature(ctx, outcome.feature, out, outcome.param);
    }
  }

  return { handle };
}

export type BotEngine = ReturnType<typeof createBotEngine>;

/** A flow's code is about to run: it may change who is registered, so the known status no longer holds. */
function flowRuns(ctx: BotContext): void {
  knownRegistration.delete(ctx);
}

function registrationStatus(ctx: BotContext): Promise<RegistrationStatus> {
  const known = knownRegistration.get(ctx);
  return known ? Promise.resolve(known) : getRegistrationStatus({ db: ctx.db, lineUserId: ctx.lineUserId });
}

/** Help text with quick replies to the features that fit the user (registered or not). */
async function helpMessage(ctx: BotContext, lead?: string): Promise<LineMessage> {
  const { hasSelf, familyCount } = await registrationStatus(ctx);
  const features: FeatureId[] = hasSelf || familyCount > 0
    ? ['screening', 'book', 'appointments', 'symptoms', 'certificate', 'profile', 'family', 'language']
    : ['register', 'help', 'language'];
  const text = lead ? `${lead}\n\n${ctx.t('help.text')}` : ctx.t('help.text');
  const [message] = withQuickReplies(
    [textMessage(text)],
    features.map((f) => postbackAction(ctx.t(`feature.${f}`), { a: 'menu', f }, ctx.t(`feature.${f}`))),
  );
  return message!;
}
