/**
 * Booking a dose: for whom → where (shared location: nearest hospitals; or a typed province
 * or a region's provinces) → hospital → day → time window → confirm → the appointment card.
 *
 * The flow only offers what the person may book (eligible, next dose, products and days the
 * interval rules allow); the booking use case decides. The confirm screen gets a fresh
 * idempotency key, kept in the flow data and carried by the confirm button: a second tap
 * while the booking is saved books nothing more, and a slot that filled while the user
 * decided answers with the next free alternatives, not an error. The button also carries
 * whom and which dose it books, so a tap after the flow ended (its state gone) can still
 * show the appointment it made (onStaleAnswer) instead of "this button has expired".
 *
 * start(ctx, param): 'person:<personId>' (for that person), 'hospital:<code>' (at that
 * hospital), 'rebook:<appointmentCode>' (a rebooking offer: a new time for the same
 * appointment, which keeps its code).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Flow, FlowStep, StepOutcome } from '../flow.js';
import type { BotContext } from '../context.js';
import type { LineMessage } from '../../line/line-gateway.js';
import { datePickerAction, postbackAction, textMessage, withQuickReplies, type QuickReplyAction } from '../../line/message-builders.js';
import { formatDate } from '../../i18n/index.js';
import { answerValue } from '../input.js';
import { choosePersonPrompt, listChoosablePeople, readChosenPerson, refsOf } from './steps/choose-person.js';
import { readProvinceAnswer } from './registration.flow.js';
import { getProvince, regions } from '../../domain/reference/find-provinces.js';
import { getBookingEligibility } from '../../domain/screening/get-booking-eligibility.js';
import { bookableRange, loadDosePlan } from '../../domain/booking/dose-rules.js';
import { findFreeSlots, findHospitalsWithFreeSlots, type FreeSlot } from '../../domain/booking/find-free-slots.js';
import { bookAppointment, isOver, type BookingAlternatives, type BookingRefusal } from '../../domain/booking/book-appointment.js';
import { rebookAppointment, type RebookRefusal } from '../../domain/booking/rebook-appointment.js';
import { getBookingPreview, getHospitalName } from '../../domain/booking/preview-booking.js';
import { getAppointmentView, listAppointmentViewsOfOwner, type AppointmentView } from '../../domain/booking/appointment-view.js';
import { bangkokToday } from '../../shared/clock.js';
import { appointmentMessage } from '../appointment-message.js';
import { bookingHospitals, MAX_HOSPITAL_BUBBLES } from '../../../flex-templates/booking-hospitals.js';
import { bookingDays, MAX_DAY_BUBBLES, type DayChoice } from '../../../flex-templates/booking-days.js';
import { bookingConfirm } from '../../../flex-templates/booking-confirm.js';

/** Bump when the steps or the data change shape (stored states of older versions restart). */
export const BOOKING_FLOW_VERSION = 1;

const dataSchema = z.object({
  /** Short refs in buttons ("1", "2") → person ids. */
  people: z.record(z.string(), z.string()),
  personId: z.string().optional(),
  doseNumber: z.number().int().optional(),
  /** The days and products the dose allows, as searched (the use case re-checks). */
  fromDate: z.string().optional(),
  toDate: z.string().optional(),
  productCodes: z.array(z.string()).optional(),
  /** Rebooking this appointment instead of booking a new one. */
  rebookCode: z.string().optional(),
  /** Where to look: a shared point, or a province. */
  near: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  provinceCode: z.string().optional(),
  /** A hospital given by the button that opened the flow. */
  startHospital: z.string().optional(),
  hospitalCode: z.string().optional(),
  date: z.string().optional(),
  slotId: z.string().optional(),
  /** Made when the confirm screen is shown; the confirm button carries it. */
  idempotencyKey: z.string().optional(),
  /** What the "slot filled up" answer offered: slot ids and hospital codes. */
  offered: z.array(z.string()).optional(),
  /**
   * The offer's buttons as the refusal found them (booking day's commonest answer, so its
   * prompt makes no query of its own); without them the prompt reads the free slots again.
   */
  offeredButtons: z
    .object({
      slots: z.array(z.object({ slotId: z.string(), date: z.string(), startTime: z.string() })),
      hospitals: z.array(z.object({ hospitalCode: z.string(), nameTh: z.string(), nameEn: z.string() })),
    })
    .optional(),
});
export type BookingData = z.infer<typeof dataSchema>;
type Step = FlowStep<BookingData>;
type Outcome = StepOutcome<BookingData>;

const HOSPITALS_SHOWN = MAX_HOSPITAL_BUBBLES;
/** The "slot filled up" answer's buttons: other times at the same hospital, then nearby hospitals (13 quick replies at most). */
const FULL_SLOT_BUTTONS = 6;
const FULL_HOSPITAL_BUTTONS = 5;
const SLOTS_SEARCHED = 200;

/** Checks the chosen person and plans the dose; then asks where (or the day, given a hospital). */
async function forPerson(ctx: BotContext, data: BookingData, personId: string): Promise<Outcome> {
  const person = (await listChoosablePeople(ctx)).find((p) => p.personId === personId);
  if (!person) return { type: 'done', messages: [textMessage(ctx.t('booking.refused.notOwner'))] };
  const name = person.firstName;
  const today = bangkokToday(ctx.now);
  const eligibility = await getBookingEligibility({ db: ctx.db, personId, onDate: today });
  if (eligibility.status === 'not-screened') {
    return {
      type: 'done',
      messages: [textMessage(ctx.t('booking.notScreened', { name }), [postbackAction(ctx.t('booking.doScreening'), { a: 'menu', f: 'screening', p: `person:${personId}` }, ctx.t('booking.doScreening'))])],
    };
  }
  if (eligibility.status === 'not-yet') {
    const text = eligibility.opensOn
      ? ctx.t('booking.notYet', { name, date: formatDate(eligibility.opensOn, ctx.locale) })
      : ctx.t('booking.notYetUnknown', { name });
    return { type: 'done', messages: [textMessage(text)] };
  }
  const plan = await loadDosePlan({ db: ctx.db, personId, onDate: today });
  if (plan.status === 'already-booked') return alreadyBooked(ctx, name, plan.doseNumber, plan.appointmentCode);
  if (plan.status === 'series-complete') return { type: 'done', messages: [textMessage(ctx.t('booking.seriesComplete', { name }))] };
  const range = bookableRange(plan, today);
  if (!range) return { type: 'done', messages: [textMessage(ctx.t('booking.noWindow', { name, dose: plan.doseNumber }))] };
  const next: BookingData = { ...data, personId, doseNumber: plan.doseNumber, fromDate: range.fromDate, toDate: range.toDate, ...(range.productCodes ? { productCodes: range.productCodes } : {}) };
  const messages = plan.status === 'follow-up' ? [textMessage(ctx.t('booking.doseInfo', { name, dose: plan.doseNumber, from: formatDate(range.fromDate, ctx.locale), to: formatDate(range.toDate, ctx.locale) }))] : [];
  if (data.startHospital) return { type: 'next', step: 'date', data: { ...next, hospitalCode: data.startHospital }, messages };
  return { type: 'next', step: 'where', data: next, messages };
}

async function alreadyBooked(ctx: BotContext, name: string, dose: number, code: string): Promise<Outcome> {
  const view = await getAppointmentView(ctx.db, { code });
  return { type: 'done', messages: [textMessage(ctx.t('booking.alreadyBooked', { name, dose, code })), ...(view ? [appointmentMessage(ctx, view)] : [])] };
}

function searchOf(ctx: BotContext, data: BookingData) {
  return {
    db: ctx.db,
    fromDate: data.fromDate ?? bangkokToday(ctx.now),
    toDate: data.toDate ?? bangkokToday(ctx.now),
    ...(data.productCodes ? { productCodes: data.productCodes } : {}),
  };
}

/** A hospital's free slots in the searched days, without windows already over today. */
async function freeSlotsAt(ctx: BotContext, data: BookingData, hospitalCode: string): Promise<FreeSlot[]> {
  const slots = await findFreeSlots({ ...searchOf(ctx, data), hospitalCode, limit: SLOTS_SEARCHED });
  return slots.filter((s) => !isOver(s, ctx.now));
}

const person: Step = {
  async prompt(ctx) {
    return choosePersonPrompt(ctx, 'person', await listChoosablePeople(ctx), 'booking.askPerson');
  },
  async handle(ctx, input, data) {
    const personId = readChosenPerson(input, 'person', data.people);
    if (!personId) return { type: 'reprompt', reason: [] };
    return forPerson(ctx, data, personId);
  },
};

const where: Step = {
  prompt: (ctx) => [
    textMessage(ctx.t('booking.askWhere'), [
      { type: 'location', label: ctx.t('booking.shareLocation') },
      ...regions.map((r): QuickReplyAction => postbackAction(ctx.t(`region.${r}`), { a: 'ans', s: 'where', v: `region:${r}` }, ctx.t(`region.${r}`))),
    ]),
  ],
  async handle(ctx, input, data) {
    if (input.kind === 'location') {
      const near = { latitude: input.latitude, longitude: input.longitude };
      const found = await findHospitalsWithFreeSlots({ ...searchOf(ctx, data), near, limit: 1 });
      if (found.length === 0) return { type: 'reprompt', reason: [textMessage(ctx.t('booking.noneNear'))] };
      const { provinceCode: _dropped, ...rest } = data;
      return { type: 'next', step: 'hospital', data: { ...rest, near } };
    }
    const result = await readProvinceAnswer(ctx, input, 'where');
    if (!('code' in result)) return { type: 'reprompt', reason: result.messages };
    const found = await findHospitalsWithFreeSlots({ ...searchOf(ctx, data), provinceCode: result.code, limit: 1 });
    if (found.length === 0) {
      const province = await getProvince({ db: ctx.db, code: result.code });
      const name = province ? (ctx.locale === 'th' ? province.nameTh : province.nameEn) : result.code;
      return { type: 'reprompt', reason: [textMessage(ctx.t('booking.noneInProvince', { province: name }))] };
    }
    const { near: _dropped, ...rest } = data;
    return { type: 'next', step: 'hospital', data: { ...rest, provinceCode: result.code } };
  },
};

const hospital: Step = {
  async prompt(ctx, data) {
    const hospitals = await findHospitalsWithFreeSlots({
      ...searchOf(ctx, data),
      ...(data.near ? { near: data.near } : { provinceCode: data.provinceCode ?? '' }),
      limit: HOSPITALS_SHOWN,
    });
    if (hospitals.length === 0) return [textMessage(ctx.t('booking.noneNear'), [wherePostback(ctx)])];
    const title = ctx.t(data.near ? 'booking.hospitalsNear' : 'booking.hospitalsTitle');
    return withQuickReplies([bookingHospitals({ step: 'hospital', title, hospitals }, ctx.locale)], [wherePostback(ctx)]);
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'hospital');
    if (answer === 'where') return { type: 'next', step: 'where', data };
    if (!answer?.startsWith('code:')) return { type: 'reprompt', reason: [] };
    return { type: 'next', step: 'date', data: { ...data, hospitalCode: answer.slice(5) } };
  },
};

function wherePostback(ctx: BotContext) {
  return postbackAction(ctx.t('booking.otherHospital'), { a: 'ans', s: 'hospital', v: 'where' }, ctx.t('booking.otherHospital'));
}

const date: Step = {
  async prompt(ctx, data) {
    const hospitalCode = data.hospitalCode ?? '';
    const slots = await freeSlotsAt(ctx, data, hospitalCode);
    const named = await getHospitalName({ db: ctx.db, code: hospitalCode });
    const hospitalName = named ? (ctx.locale === 'th' ? named.nameTh : named.nameEn) : hospitalCode;
    const other = postbackAction(ctx.t('booking.otherHospital'), { a: 'ans', s: 'date', v: 'where' }, ctx.t('booking.otherHospital'));
    if (slots.length === 0) return [textMessage(ctx.t('booking.noDays', { hospital: hospitalName }), [other])];
    const days = new Map<string, DayChoice>();
    for (const s of slots) {
      const day = days.get(s.date) ?? { date: s.date, freePlaces: 0, windows: [] };
      day.freePlaces += s.free;
      if (!day.windows.includes(`${s.startTime}-${s.endTime}`)) day.windows.push(`${s.startTime}-${s.endTime}`);
      days.set(s.date, day);
    }
    const dayList = [...days.values()];
    const picker = datePickerAction(ctx.t('booking.pickDate'), { a: 'ans', s: 'date', v: 'picked' }, {
      initial: dayList[0]!.date,
      min: dayList[0]!.date,
      max: dayList.at(-1)!.date,
    });
    return withQuickReplies([bookingDays({ step: 'date', hospitalName, days: dayList.slice(0, MAX_DAY_BUBBLES) }, ctx.locale)], [picker, other]);
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'date');
    if (answer === 'where') return { type: 'next', step: 'where', data };
    const picked = answer === 'picked' && input.kind === 'postback' ? input.params?.date : answer?.startsWith('date:') ? answer.slice(5) : undefined;
    if (!picked) return { type: 'reprompt', reason: [] };
    const slots = (await freeSlotsAt(ctx, data, data.hospitalCode ?? '')).filter((s) => s.date === picked);
    if (slots.length === 0) {
      const named = await getHospitalName({ db: ctx.db, code: data.hospitalCode ?? '' });
      const hospitalName = named ? (ctx.locale === 'th' ? named.nameTh : named.nameEn) : '';
      return { type: 'reprompt', reason: [textMessage(ctx.t('booking.dateNotFree', { date: formatDate(picked, ctx.locale), hospital: hospitalName }))] };
    }
    return { type: 'next', step: 'time', data: { ...data, date: picked } };
  },
};

const time: Step = {
  async prompt(ctx, data) {
    const slots = (await freeSlotsAt(ctx, data, data.hospitalCode ?? '')).filter((s) => s.date === data.date);
    const products = new Set(slots.map((s) => s.productCode));
    const buttons: QuickReplyAction[] = slots.slice(0, 11).map((s) => {
      // Quick-reply labels hold 20 characters: with several products, the start time and product.
      const label = products.size > 1
        ? ctx.t('booking.timeFreeProduct', { start: s.startTime, product: s.productCode, count: s.free })
        : ctx.t('booking.timeFree', { start: s.startTime, end: s.endTime, count: s.free });
      return postbackAction(label, { a: 'ans', s: 'time', v: `slot:${s.slotId}` }, `${s.startTime}-${s.endTime}`);
    });
    buttons.push(postbackAction(ctx.t('booking.otherDate'), { a: 'ans', s: 'time', v: 'date' }, ctx.t('booking.otherDate')));
    return [textMessage(ctx.t('booking.askTime', { date: formatDate(data.date ?? '', ctx.locale) }), buttons)];
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'time');
    if (answer === 'date') return { type: 'next', step: 'date', data };
    if (!answer?.startsWith('slot:')) return { type: 'reprompt', reason: [] };
    const slotId = answer.slice(5);
    const slots = await freeSlotsAt(ctx, data, data.hospitalCode ?? '');
    if (!slots.some((s) => s.slotId === slotId && s.date === data.date)) {
      // Filled (or closed) since the buttons were shown: show the times again, with fresh counts.
      return { type: 'reprompt', reason: [textMessage(ctx.t('booking.slotGone'))] };
    }
    return toConfirm(data, slotId);
  },
};

/** The confirm screen, with a fresh idempotency key for it. */
function toConfirm(data: BookingData, slotId: string, messages?: LineMessage[]): Outcome {
  return { type: 'next', step: 'confirm', data: { ...data, slotId, idempotencyKey: randomUUID() }, ...(messages ? { messages } : {}) };
}

const confirm: Step = {
  async prompt(ctx, data) {
    const preview = await getBookingPreview({ db: ctx.db, lineUserId: ctx.lineUserId, personId: data.personId ?? '', slotId: data.slotId ?? '' });
    if (!preview) return [textMessage(ctx.t('booking.slotGone'))];
    const th = ctx.locale === 'th';
    return [
      bookingConfirm(
        {
          step: 'confirm',
          confirmValue: confirmValueOf(data),
          personName: `${preview.personFirstName} ${preview.personLastName}`,
          doseNumber: data.doseNumber ?? 1,
          hospitalName: th ? preview.hospitalNameTh : preview.hospitalNameEn,
          date: preview.date,
          startTime: preview.startTime,
          endTime: preview.endTime,
          productName: th ? preview.productNameTh : preview.productNameEn,
        },
        ctx.locale,
      ),
    ];
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'confirm');
    if (answer === 'back') return { type: 'next', step: 'time', data };
    if (!answer || !data.personId || !data.slotId) return { type: 'reprompt', reason: [] };
    // Only the button of this confirm screen books: its value has the key kept in the data. An
    // older screen's button shows what it booked, if it did; then this screen asks again.
    if (readConfirmValue(answer).key !== data.idempotencyKey) return { type: 'reprompt', reason: (await confirmedBefore(ctx, answer)) ?? [] };
    const common = { db: ctx.db, slotId: data.slotId, actor: `line:${ctx.lineUserId}`, lineUserId: ctx.lineUserId, now: ctx.now };
    const result = data.rebookCode
      ? await rebookAppointment({ ...common, appointmentCode: data.rebookCode })
      : await bookAppointment({
          ...common,
          personId: data.personId,
          idempotencyKey: data.idempotencyKey,
          commitOn: ctx.services.rootDb,
          ...(ctx.services.bookingAlternatives ? { alternativesCache: ctx.services.bookingAlternatives } : {}),
        });
    if (result.ok) return booked(ctx, result.appointment, Boolean(data.rebookCode));
    return refused(ctx, data, result.refusal);
  },
};

/**
 * The confirm button's value: `<idempotency key>:<person id>:<dose>` (~75 characters; postback
 * values hold 200). The key is the one that books; whom and which dose let a tap after the
 * flow ended find the appointment (confirmedBefore).
 */
function confirmValueOf(data: BookingData): string {
  return [data.idempotencyKey ?? '', data.personId ?? '', data.doseNumber ?? ''].join(':');
}

/** Reads a confirm value; a bare key (buttons sent before the value carried more) has only `key`. */
function readConfirmValue(value: string): { key: string; personId?: string; doseNumber?: number } {
  const [key = '', personId, dose] = value.split(':');
  const doseNumber = Number(dose);
  return personId && Number.isInteger(doseNumber) ? { key, personId, doseNumber } : { key };
}

/**
 * A confirm button tapped after its screen is gone (the flow ended or moved on): when the dose
 * it books is booked for its person (by this confirm or another; a moved appointment too), that
 * appointment with an "already booked" line; else null ("this button has expired"). Books nothing.
 */
async function confirmedBefore(ctx: BotContext, value: string): Promise<LineMessage[] | null> {
  const { personId, doseNumber } = readConfirmValue(value);
  if (!personId) return null;
  // Among the people this LINE account manages only: the button's data is the client's word.
  const appointment = (await listAppointmentViewsOfOwner(ctx.db, ctx.lineUserId)).find(
    (a) => a.personId === personId && a.doseNumber === doseNumber && a.status === 'BOOKED',
  );
  if (!appointment) return null;
  const line = ctx.t('booking.confirmedBefore', { name: appointment.personFirstName, dose: appointment.doseNumber, code: appointment.code });
  return [textMessage(line), appointmentMessage(ctx, appointment)];
}

function booked(ctx: BotContext, view: AppointmentView, rebooked: boolean): Outcome {
  const text = ctx.t(rebooked ? 'booking.rebooked' : 'booking.booked', { code: view.code });
  return { type: 'done', messages: [textMessage(text), appointmentMessage(ctx, view)] };
}

/** A refusal at confirm time, explained; a full slot offers the next free ones. */
async function refused(ctx: BotContext, data: BookingData, refusal: BookingRefusal | RebookRefusal): Promise<Outcome> {
  const dates = (d: string) => formatDate(d, ctx.locale);
  switch (refusal.code) {
    case 'slot-full':
      return full(ctx, data, refusal.alternatives);
    case 'in-the-past':
    case 'slot-closed':
    case 'unknown-slot': {
      const key = refusal.code === 'slot-closed' ? 'booking.refused.slotClosed' : refusal.code === 'in-the-past' ? 'booking.refused.inThePast' : 'booking.slotGone';
      return { type: 'next', step: 'date', data, messages: [textMessage(ctx.t(key))] };
    }
    case 'dose-not-due':
      return { type: 'next', step: 'date', data, messages: [textMessage(ctx.t('booking.refused.doseNotDue', { dose: refusal.doseNumber, earliest: dates(refusal.earliest), latest: dates(refusal.latest) }))] };
    case 'dose-window-passed':
      return { type: 'done', messages: [textMessage(ctx.t('booking.refused.windowPassed', { dose: refusal.doseNumber, latest: dates(refusal.latest) }))] };
    case 'product-not-allowed':
      return { type: 'next', step: 'date', data, messages: [textMessage(ctx.t('booking.refused.productNotAllowed', { dose: refusal.doseNumber, products: refusal.allowedProducts.join(', ') }))] };
    case 'already-booked':
      return alreadyBooked(ctx, await personName(ctx, data), refusal.doseNumber, refusal.appointmentCode);
    case 'series-complete':
      return { type: 'done', messages: [textMessage(ctx.t('booking.seriesComplete', { name: await personName(ctx, data) }))] };
    case 'not-screened':
    case 'not-eligible-yet':
      // Changed since the flow checked (a new screening): start over for this person.
      return forPerson(ctx, data, data.personId ?? '');
    case 'unknown-appointment':
    case 'not-rebookable':
      return { type: 'done', messages: [textMessage(ctx.t('booking.rebookNothing', { code: data.rebookCode ?? '' }))] };
    case 'unknown-person':
    case 'not-owner':
      return { type: 'done', messages: [textMessage(ctx.t('booking.refused.notOwner'))] };
  }
}

async function personName(ctx: BotContext, data: BookingData): Promise<string> {
  return (await listChoosablePeople(ctx)).find((p) => p.personId === data.personId)?.firstName ?? '';
}

/** "It filled up": the next free times at the same hospital first, then the nearest hospitals. */
function full(ctx: BotContext, data: BookingData, alternatives: BookingAlternatives): Outcome {
  const offered = [...alternatives.sameHospital.map((s) => s.slotId), ...alternatives.nearbyHospitals.map((h) => h.hospitalCode)];
  const offeredButtons = {
    slots: alternatives.sameHospital.slice(0, FULL_SLOT_BUTTONS).map(({ slotId, date, startTime }) => ({ slotId, date, startTime })),
    hospitals: alternatives.nearbyHospitals.slice(0, FULL_HOSPITAL_BUTTONS).map(({ hospitalCode, nameTh, nameEn }) => ({ hospitalCode, nameTh, nameEn })),
  };
  const next: BookingData = { ...data, offered, offeredButtons };
  delete next.slotId;
  delete next.idempotencyKey;
  const none = offered.length === 0;
  return { type: 'next', step: 'full', data: next, messages: none ? [textMessage(ctx.t('booking.fullNone'))] : [] };
}

const fullStep: Step = {
  async prompt(ctx, data) {
    const offered = new Set(data.offered ?? []);
    const slots = data.offeredButtons?.slots ?? (await freeSlotsAt(ctx, data, data.hospitalCode ?? '')).filter((s) => offered.has(s.slotId));
    const hospitals = data.offeredButtons?.hospitals ?? (offered.size > slots.length
      ? (await findHospitalsWithFreeSlots({ ...searchOf(ctx, data), ...(data.near ? { near: data.near } : {}), limit: 50 })).filter((h) => offered.has(h.hospitalCode))
      : []);
    const buttons: QuickReplyAction[] = [
      ...slots.slice(0, FULL_SLOT_BUTTONS).map((s) => {
        const label = ctx.t('booking.altSlot', { date: formatDate(s.date, ctx.locale), start: s.startTime });
        return postbackAction(label, { a: 'ans', s: 'full', v: `slot:${s.slotId}` }, label);
      }),
      ...hospitals.slice(0, FULL_HOSPITAL_BUTTONS).map((h) => {
        const name = ctx.locale === 'th' ? h.nameTh : h.nameEn;
        return postbackAction(name, { a: 'ans', s: 'full', v: `hospital:${h.hospitalCode}` }, name);
      }),
      postbackAction(ctx.t('booking.otherHospital'), { a: 'ans', s: 'full', v: 'where' }, ctx.t('booking.otherHospital')),
    ];
    return [textMessage(ctx.t(buttons.length > 1 ? 'booking.full' : 'booking.fullNone'), buttons)];
  },
  async handle(ctx, input, data) {
    const answer = answerValue(input, 'full') ?? '';
    const offered = data.offered ?? [];
    const { offered: _done, offeredButtons: _shown, ...rest } = data;
    if (answer === 'where') return { type: 'next', step: 'where', data: rest };
    if (answer.startsWith('slot:') && offered.includes(answer.slice(5))) return toConfirm(rest, answer.slice(5));
    if (answer.startsWith('hospital:') && offered.includes(answer.slice(9))) return { type: 'next', step: 'date', data: { ...rest, hospitalCode: answer.slice(9) } };
    return { type: 'reprompt', reason: [] };
  },
};

/** Rebooking offer: a new time for an appointment whose slot was closed, same person and dose. */
async function startRebooking(ctx: BotContext, data: BookingData, code: string): Promise<Outcome> {
  const view = await getAppointmentView(ctx.db, { code });
  if (!view || view.ownerLineUserId !== ctx.lineUserId) return { type: 'done', messages: [textMessage(ctx.t('booking.rebookNotFound', { code: code.slice(0, 12) }))] };
  if (view.status !== 'NEEDS_REBOOKING') return { type: 'done', messages: [textMessage(ctx.t('booking.rebookNothing', { code })), appointmentMessage(ctx, view)] };
  const today = bangkokToday(ctx.now);
  const plan = await loadDosePlan({ db: ctx.db, personId: view.personId, onDate: today, exceptAppointmentId: view.id });
  const range = plan.status === 'open' || plan.status === 'follow-up' ? bookableRange(plan, today) : null;
  if (!range) return { type: 'done', messages: [textMessage(ctx.t('booking.noWindow', { name: view.personFirstName, dose: view.doseNumber }))] };
  return {
    type: 'next',
    step: 'where',
    data: { ...data, personId: view.personId, doseNumber: view.doseNumber, rebookCode: code, fromDate: range.fromDate, toDate: range.toDate, ...(range.productCodes ? { productCodes: range.productCodes } : {}) },
    messages: [textMessage(ctx.t('booking.rebookStart', { code, name: view.personFirstName, dose: view.doseNumber }))],
  };
}

export const bookingFlow: Flow<BookingData> = {
  id: 'booking',
  version: BOOKING_FLOW_VERSION,
  dataSchema,
  async start(ctx, param) {
    const people = await listChoosablePeople(ctx);
    if (people.length === 0) {
      return { type: 'done', messages: [textMessage(ctx.t('register.required'), [postbackAction(ctx.t('feature.register'), { a: 'menu', f: 'register' }, ctx.t('feature.register'))])] };
    }
    const data: BookingData = { people: refsOf(people) };
    const [kind, value] = splitParam(param);
    if (kind === 'rebook' && value) return startRebooking(ctx, data, value);
    if (kind === 'person' && value && people.some((p) => p.personId === value)) return forPerson(ctx, data, value);
    if (kind === 'hospital' && value) data.startHospital = value;
    if (people.length === 1) return forPerson(ctx, data, people[0]!.personId);
    return { type: 'next', step: 'person', data };
  },
  steps: { person, where, hospital, date, time, confirm, full: fullStep },
  async onStaleAnswer(ctx, step, value) {
    return step === 'confirm' ? confirmedBefore(ctx, value) : null;
  },
};

function splitParam(param: string | undefined): [string, string] | [] {
  if (!param) return [];
  const at = param.indexOf(':');
  return at < 0 ? [] : [param.slice(0, at), param.slice(at + 1)];
}
