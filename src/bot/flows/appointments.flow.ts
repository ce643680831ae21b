/**
 * "My appointments": the upcoming appointments of the user and their family as cards, the
 * past ones as a short list; and, from a card's buttons, rescheduling (a new day, then a time,
 * at the same hospital or a nearby one; confirm) and cancelling (confirm).
 *
 * The card buttons open this flow with a start parameter ('reschedule:<code>', 'cancel:<code>'),
 * so they work from any old message. A code is only acted on when the appointment belongs to
 * a person this LINE account manages; otherwise the answer is the same as for an unknown code.
 */
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome } from '../flow.js';
import type { BotContext } from '../context.js';
import type { LineMessage } from '../../line/line-gateway.js';
import { postbackAction, textMessage, withQuickReplies, type QuickReplyAction } from '../../line/message-builders.js';
import { formatDate, type MessageKey } from '../../i18n/index.js';
import { bangkokToday } from '../../shared/clock.js';
import { addDays } from '../../domain/vaccination/interval-rules.js';
import { getAppointmentView, type AppointmentView } from '../../domain/booking/appointment-view.js';
import { normaliseBookingCode } from '../../domain/booking/booking-code.js';
import { findFreeSlots, findHospitalsWithFreeSlots, type FreeSlot } from '../../domain/booking/find-free-slots.js';
import { allowedChanges, listAppointments } from '../../domain/booking/list-appointments.js';
import { cancelAppointment } from '../../domain/booking/cancel-appointment.js';
import { rescheduleAppointment } from '../../domain/booking/reschedule-appointment.js';
import { appointmentMessage, appointmentsCarouselMessage } from '../appointment-message.js';
import { answerValue } from '../input.js';

/** How many days ahead a new time is offered (from tomorrow). */
export const RESCHEDULE_DAYS = 14;
/** Past appointments listed by name; older ones are counted. */
const PAST_SHOWN = 10;
/** Quick replies: 13 at most, one kept for "another hospital" / "back". */
const CHOICES_MAX = 12;

const hospitalSchema = z.object({ code: z.string(), nameTh: z.string(), nameEn: z.string(), latitude: z.number(), longitude: z.number() });

const dataSchema = z.object({
  code: z.string(),
  /** Reschedule: the appointment's slot when we started (not offered again) and its vaccine. */
  currentSlotId: z.string().optional(),
  productCode: z.string().optional(),
  /** Where new times are looked for; starts as the appointment's hospital. */
  hospital: hospitalSchema.optional(),
  /** The appointment's own hospital: the centre of "another hospital nearby". */
  origin: hospitalSchema.optional(),
  /** Short refs → nearby hospitals offered (postbacks stay small). */
  nearby: z.record(z.string(), hospitalSchema.extend({ km: z.number() })).optional(),
  date: z.string().optional(),
  to: z.object({ slotId: z.string(), date: z.string(), startTime: z.string(), endTime: z.string() }).optional(),
});
type Data = z.infer<typeof dataSchema>;
type Step = FlowStep<Data>;
type Outcome = StepOutcome<Data>;

const myAppointmentsButton = (ctx: BotContext) => postbackAction(ctx.t('feature.appointments'), { a: 'menu', f: 'appointments' }, ctx.t('feature.appointments'));
const bookButton = (ctx: BotContext) => postbackAction(ctx.t('booking.appt.bookNow'), { a: 'menu', f: 'book' }, ctx.t('booking.appt.bookNow'));
const done = (ctx: BotContext, text: string, quickReplies: QuickReplyAction[] = [myAppointmentsButton(ctx)]): Outcome => ({
  type: 'done',
  messages: [textMessage(text, quickReplies)],
});

/** Data without some keys (absent, not undefined: the state must survive a JSON round trip). */
function without(data: Data, ...keys: Array<keyof Data>): Data {
  const copy = { ...data };
  for (const key of keys) delete copy[key];
  return copy;
}

const hospitalName = (ctx: BotContext, h: { nameTh: string; nameEn: string }) => (ctx.locale === 'th' ? h.nameTh : h.nameEn);
const when = (ctx: BotContext, s: { date: string; startTime: string; endTime: string }) =>
  `${formatDate(s.date, ctx.locale)} ${ctx.t('booking.appt.timeValue', { start: s.startTime, end: s.endTime })}`;

// ── "My appointments" ───────────────────────────────────────────────────────────────────

async function showList(ctx: BotContext): Promise<Outcome> {
  const { upcoming, past } = await listAppointments({ db: ctx.db, lineUserId: ctx.lineUserId, now: ctx.now });
  if (upcoming.length === 0 && past.length === 0) return done(ctx, ctx.t('booking.appt.none'), [bookButton(ctx)]);
  const messages: LineMessage[] = [];
  if (upcoming.length > 0) {
    const { message, shown } = appointmentsCarouselMessage(ctx, upcoming);
    messages.push(message);
    if (upcoming.length > shown) messages.push(textMessage(ctx.t('booking.appt.more', { shown, count: upcoming.length - shown })));
  } else {
    messages.push(textMessage(ctx.t('booking.appt.noUpcoming')));
  }
  if (past.length > 0) {
    const lines = past.slice(0, PAST_SHOWN).map((v) =>
      ctx.t('booking.appt.pastLine', {
        date: formatDate(v.date, ctx.locale),
        name: v.personFirstName,
        hospital: hospitalName(ctx, { nameTh: v.hospitalNameTh, nameEn: v.hospitalNameEn }),
        status: ctx.t(`booking.appt.status.${v.status}` as MessageKey),
        code: v.code,
      }),
    );
    if (past.length > PAST_SHOWN) lines.push(ctx.t('booking.appt.pastMore', { count: past.length - PAST_SHOWN }));
    messages.push(textMessage([ctx.t('booking.appt.pastTitle'), ...lines].join('\n')));
  }
  return { type: 'done', messages: upcoming.length === 0 ? withQuickReplies(messages, [bookButton(ctx)]) : messages };
}

/** The appointment of `code`, only if this LINE account manages its person. */
async function ownAppointment(ctx: BotContext, rawCode: string): Promise<AppointmentView | null> {
  const code = normaliseBookingCode(rawCode);
  const view = code ? await getAppointmentView(ctx.db, { code }) : null;
  return view && view.ownerLineUserId === ctx.lineUserId ? view : null;
}

/** Why an appointment cannot be changed now, as a finished answer; null when it can. */
function refusal(ctx: BotContext, view: AppointmentView, action: 'reschedule' | 'cancel'): Outcome | null {
  if (view.status === 'CANCELLED') return done(ctx, ctx.t('booking.appt.alreadyCancelled', { code: view.code }));
  const allowed = allowedChanges(view, bangkokToday(ctx.now));
  if (allowed.tooLate) return tooLate(ctx, view);
  const can = action === 'reschedule' ? allowed.canReschedule : allowed.canCancel;
  if (!can) return done(ctx, ctx.t('booking.appt.notActive', { code: view.code, status: ctx.t(`booking.appt.status.${view.status}` as MessageKey) }));
  return null;
}

function tooLate(ctx: BotContext, view: Pick<AppointmentView, 'hospitalPhone' | 'hospitalNameTh' | 'hospitalNameEn'>): Outcome {
  const hospital = hospitalName(ctx, { nameTh: view.hospitalNameTh, nameEn: view.hospitalNameEn });
  const text = view.hospitalPhone ? ctx.t('booking.appt.tooLatePhone', { phone: view.hospitalPhone, hospital }) : ctx.t('booking.appt.tooLate', { hospital });
  return done(ctx, text);
}

// ── Rescheduling: day → (another hospital) → time → confirm ─────────────────────────────

async function freeSlots(ctx: BotContext, data: Data, date?: string): Promise<FreeSlot[]> {
  const today = bangkokToday(ctx.now);
  const slots = await findFreeSlots({
    db: ctx.db,
    hospitalCode: data.hospital?.code ?? '',
    productCodes: data.productCode ? [data.productCode] : [],
    fromDate: date ?? addDays(today, 1),
    toDate: date ?? addDays(today, RESCHEDULE_DAYS),
    limit: 500,
  });
  return slots.filter((s) => s.slotId !== data.currentSlotId);
}

const distinctDays = (slots: FreeSlot[]) => [...new Set(slots.map((s) => s.date))];

const day: Step = {
  async prompt(ctx, data) {
    const days = distinctDays(await freeSlots(ctx, data)).slice(0, CHOICES_MAX);
    const other = postbackAction(ctx.t('booking.appt.otherHospital'), { a: 'ans', s: 'day', v: 'other' }, ctx.t('booking.appt.otherHospital'));
    const hospital = hospitalName(ctx, data.hospital!);
    if (days.length === 0) {
      return [textMessage(ctx.t('booking.appt.noDays', { days: RESCHEDULE_DAYS, hospital }), [other, postbackAction(ctx.t('common.cancel'), { a: 'cancel' }, ctx.t('common.cancel'))])];
    }
    return [
      textMessage(ctx.t('booking.appt.pickDay', { code: data.code, hospital }), [
        ...days.map((d) => postbackAction(formatDate(d, ctx.locale), { a: 'ans', s: 'day', v: d }, formatDate(d, ctx.locale))),
        other,
      ]),
    ];
  },
  async handle(ctx, input, data) {
    const value = answerValue(input, 'day');
    if (value === 'other') return offerNearbyHospitals(ctx, data);
    const today = bangkokToday(ctx.now);
    // Only the days the buttons offer (an old button's day may have passed since).
    if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value <= today || value > addDays(today, RESCHEDULE_DAYS)) {
      return { type: 'reprompt', reason: 'booking.appt.pickFromButtons' };
    }
    // The day may have filled since the buttons were drawn.
    if ((await freeSlots(ctx, data, value)).length === 0) return { type: 'reprompt', reason: 'booking.appt.noTimes' };
    return { type: 'next', step: 'time', data: { ...data, date: value } };
  },
};

async function offerNearbyHospitals(ctx: BotContext, data: Data): Promise<Outcome> {
  const origin = data.origin!;
  const today = bangkokToday(ctx.now);
  const found = await findHospitalsWithFreeSlots({
    db: ctx.db,
    near: { latitude: origin.latitude, longitude: origin.longitude },
    excludeHospitalCodes: [data.hospital!.code],
    productCodes: data.productCode ? [data.productCode] : [],
    fromDate: addDays(today, 1),
    toDate: addDays(today, RESCHEDULE_DAYS),
    limit: CHOICES_MAX,
  });
  if (found.length === 0) return { type: 'reprompt', reason: 'booking.appt.noHospitals' };
  const nearby = Object.fromEntries(
    found.map((h, i) => [
      String(i + 1),
      { code: h.hospitalCode, nameTh: h.nameTh, nameEn: h.nameEn, latitude: h.latitude, longitude: h.longitude, km: Math.round((h.distanceKm ?? 0) * 10) / 10 },
    ]),
  );
  return { type: 'next', step: 'hospital', data: { ...data, nearby } };
}

const hospital: Step = {
  prompt(ctx, data) {
    const entries = Object.entries(data.nearby ?? {});
    return [
      textMessage(
        [ctx.t('booking.appt.pickHospital'), ...entries.map(([ref, h]) => `${ref}. ${ctx.t('booking.appt.hospitalOption', { name: hospitalName(ctx, h), km: h.km.toFixed(1) })}`)].join('\n'),
        [
          ...entries.map(([ref, h]) => postbackAction(`${ref}. ${hospitalName(ctx, h)}`, { a: 'ans', s: 'hospital', v: ref }, hospitalName(ctx, h))),
          postbackAction(ctx.t('common.back'), { a: 'ans', s: 'hospital', v: 'back' }, ctx.t('common.back')),
        ],
      ),
    ];
  },
  async handle(ctx, input, data) {
    const value = answerValue(input, 'hospital');
    if (value === 'back') return { type: 'next', step: 'day', data: without(data, 'nearby') };
    const chosen = value && data.nearby && Object.hasOwn(data.nearby, value) ? data.nearby[value] : undefined;
    if (!chosen) return { type: 'reprompt', reason: 'booking.appt.pickFromButtons' };
    const { km: _km, ...picked } = chosen;
    return { type: 'next', step: 'day', data: { ...without(data, 'nearby'), hospital: picked } };
  },
};

const time: Step = {
  async prompt(ctx, data) {
    const slots = (await freeSlots(ctx, data, data.date)).slice(0, CHOICES_MAX);
    return [
      textMessage(ctx.t('booking.appt.pickTime', { date: formatDate(data.date!, ctx.locale) }), [
        ...slots.map((s) => {
          const label = ctx.t('booking.appt.timeOption', { start: s.startTime, end: s.endTime, free: s.free });
          return postbackAction(label, { a: 'ans', s: 'time', v: s.slotId }, label);
        }),
        postbackAction(ctx.t('common.back'), { a: 'ans', s: 'time', v: 'back' }, ctx.t('common.back')),
      ]),
    ];
  },
  async handle(ctx, input, data) {
    const value = answerValue(input, 'time');
    if (value === 'back') return { type: 'next', step: 'day', data: without(data, 'date') };
    const slot = (await freeSlots(ctx, data, data.date)).find((s) => s.slotId === value);
    if (!slot) return { type: 'reprompt', reason: value ? 'booking.appt.slotTaken' : 'booking.appt.pickFromButtons' };
    return { type: 'next', step: 'confirm', data: { ...data, to: { slotId: slot.slotId, date: slot.date, startTime: slot.startTime, endTime: slot.endTime } } };
  },
};

const confirm: Step = {
  async prompt(ctx, data) {
    const view = await getAppointmentView(ctx.db, { code: data.code });
    const from = view ? `${when(ctx, view)} ${hospitalName(ctx, { nameTh: view.hospitalNameTh, nameEn: view.hospitalNameEn })}` : data.code;
    const to = `${when(ctx, data.to!)} ${hospitalName(ctx, data.hospital!)}`;
    return [
      textMessage(ctx.t('booking.appt.confirmReschedule', { code: data.code, from, to }), [
        postbackAction(ctx.t('booking.appt.confirmRescheduleButton'), { a: 'ans', s: 'confirm', v: 'yes' }, ctx.t('booking.appt.confirmRescheduleButton')),
        postbackAction(ctx.t('common.back'), { a: 'ans', s: 'confirm', v: 'back' }, ctx.t('common.back')),
        postbackAction(ctx.t('common.cancel'), { a: 'cancel' }, ctx.t('common.cancel')),
      ]),
    ];
  },
  async handle(ctx, input, data) {
    const value = answerValue(input, 'confirm');
    if (value === 'back') return { type: 'next', step: 'time', data: without(data, 'to') };
    if (value !== 'yes') return { type: 'reprompt', reason: 'booking.appt.pickFromButtons' };
    const result = await rescheduleAppointment({ db: ctx.db, code: data.code, toSlotId: data.to!.slotId, lineUserId: ctx.lineUserId, now: ctx.now });
    switch (result.outcome) {
      case 'rescheduled': {
        const view = (await getAppointmentView(ctx.db, { code: data.code }))!;
        return { type: 'done', messages: [textMessage(ctx.t('booking.appt.rescheduled', { code: data.code })), appointmentMessage(ctx, view)] };
      }
      case 'slot-full': {
        // Offer what is still free: the same day's other times, else other days.
        const sameDay = result.alternatives.some((s) => s.date === data.to!.date && s.hospitalCode === data.hospital!.code);
        const reason = [textMessage(ctx.t('booking.appt.slotTaken'))];
        return sameDay
          ? { type: 'next', step: 'time', data: without(data, 'to'), messages: reason }
          : { type: 'next', step: 'day', data: without(data, 'date', 'to'), messages: reason };
      }
      case 'same-slot':
        return { type: 'next', step: 'time', data: without(data, 'to'), messages: [textMessage(ctx.t('booking.appt.sameSlot'))] };
      case 'slot-unavailable':
      case 'dose-rules':
        return { type: 'next', step: 'day', data: without(data, 'date', 'to'), messages: [textMessage(ctx.t('booking.appt.slotUnavailable'))] };
      default:
        return answerForRefusal(ctx, data.code, result.outcome);
    }
  },
};

/** The appointment changed under the conversation (cancelled elsewhere, its day came): say why. */
async function answerForRefusal(ctx: BotContext, code: string, outcome: string): Promise<Outcome> {
  const view = await ownAppointment(ctx, code);
  if (!view || outcome === 'not-found') return done(ctx, ctx.t('booking.appt.notFound'));
  return refusal(ctx, view, 'reschedule') ?? done(ctx, ctx.t('booking.appt.notFound'));
}

// ── Cancelling ──────────────────────────────────────────────────────────────────────────

const confirmCancel: Step = {
  async prompt(ctx, data) {
    const view = await getAppointmentView(ctx.db, { code: data.code });
    return [
      textMessage(
        ctx.t('booking.appt.confirmCancel', {
          code: data.code,
          when: view ? `${view.personFirstName} ${view.personLastName}\n${when(ctx, view)}` : '',
          hospital: view ? hospitalName(ctx, { nameTh: view.hospitalNameTh, nameEn: view.hospitalNameEn }) : '',
        }),
        [
          postbackAction(ctx.t('booking.appt.confirmCancelButton'), { a: 'ans', s: 'confirmCancel', v: 'yes' }, ctx.t('booking.appt.confirmCancelButton')),
          postbackAction(ctx.t('booking.appt.keep'), { a: 'ans', s: 'confirmCancel', v: 'no' }, ctx.t('booking.appt.keep')),
        ],
      ),
    ];
  },
  async handle(ctx, input, data) {
    const value = answerValue(input, 'confirmCancel');
    if (value === 'no') return done(ctx, ctx.t('booking.appt.kept'));
    if (value !== 'yes') return { type: 'reprompt', reason: 'booking.appt.pickFromButtons' };
    const result = await cancelAppointment({ db: ctx.db, code: data.code, lineUserId: ctx.lineUserId, now: ctx.now });
    switch (result.outcome) {
      case 'cancelled':
        return done(ctx, ctx.t('booking.appt.cancelledDone', { code: data.code }), [bookButton(ctx), myAppointmentsButton(ctx)]);
      case 'already-cancelled':
        return done(ctx, ctx.t('booking.appt.alreadyCancelled', { code: data.code }));
      case 'not-found':
        return done(ctx, ctx.t('booking.appt.notFound'));
      default: {
        const view = await ownAppointment(ctx, data.code);
        return (view && refusal(ctx, view, 'cancel')) ?? done(ctx, ctx.t('booking.appt.notFound'));
      }
    }
  },
};

// ── Start ───────────────────────────────────────────────────────────────────────────────

async function startReschedule(ctx: BotContext, code: string): Promise<Outcome> {
  const view = await ownAppointment(ctx, code);
  if (!view) return done(ctx, ctx.t('booking.appt.notFound'));
  const refused = refusal(ctx, view, 'reschedule');
  if (refused) return refused;
  const own = { code: view.hospitalCode, nameTh: view.hospitalNameTh, nameEn: view.hospitalNameEn, latitude: view.hospitalLatitude, longitude: view.hospitalLongitude };
  return {
    type: 'next',
    step: 'day',
    data: { code: view.code, ...(view.status === 'BOOKED' ? { currentSlotId: view.slotId } : {}), productCode: view.productCode, hospital: own, origin: own },
  };
}

async function startCancel(ctx: BotContext, code: string): Promise<Outcome> {
  const view = await ownAppointment(ctx, code);
  if (!view) return done(ctx, ctx.t('booking.appt.notFound'));
  return refusal(ctx, view, 'cancel') ?? { type: 'next', step: 'confirmCancel', data: { code: view.code } };
}

export const appointmentsFlow: Flow<Data> = {
  id: 'appointments',
  version: 1,
  dataSchema,
  async start(ctx, param) {
    const [action, code] = (param ?? '').split(':');
    if (action === 'reschedule' && code) return startReschedule(ctx, code);
    if (action === 'cancel' && code) return startCancel(ctx, code);
    return showList(ctx);
  },
  steps: { day, hospital, time, confirm, confirmCancel },
};

