/**
 * Booking a dose in a slot: the hot path of booking day, when thousands confirm in the same
 * minute. In this order:
 *
 * 1. One read (a single statement): the appointment of this idempotency key (a confirm
 *    tapped twice, or retried, answers the first booking: `repeated`), the person and
 *    whose they are, their latest screening's campaign phase (eligibility, as
 *    getBookingEligibility decides it), recorded doses, active appointments, the interval
 *    rules after the last dose, and the slot with its hospital and product.
 * 2. The rules, each refused with a typed reason the chat can explain: owner, slot known, not
 *    in the past, open, eligible today, the next dose not already booked, and from dose 2 an
 *    allowed product inside the interval window on the slot's day (dose-rules.ts). A slot
 *    already full answers with the next free alternatives (same hospital first, then the
 *    nearest hospitals), not an error.
 * 3. One write (a single statement): the capacity check and the place (UPDATE ... WHERE
 *    booked < capacity), the appointment (ON CONFLICT DO NOTHING: a lost race on a unique
 *    index, same key or same person and dose, inserts nothing and takes no place), the
 *    audit event 'booked' and the two reminders. See writeAlone / writeInTransaction.
 *
 * Measured (docs/BENCHMARKS.md, bench:booking): the first version, a dozen Prisma queries in
 * an interactive transaction, cost ~17 ms an attempt alone on this machine; this one 2-3
 * statements. The reminders follow replanAppointmentReminders' policy (a new appointment has
 * none to withdraw); the eligibility follows getBookingEligibility's (tests pin both).
 *
 * Warning: pass the root client for the fast path (the write is its own transaction); pass a
 * transaction (a flow's ctx.db) to join it. A refusal writes nothing either way.
 */
import type { AlternativesCache } from './alternatives-cache.js';
import { randomUUID } from 'node:crypto';
import type { Db, PrismaClient } from '../../db/client.js';
import { releasePlace } from '../../db/repositories/slot.repository.js';
import { bangkokToday } from '../../shared/clock.js';
// A new appointment has no earlier reminders to withdraw, so they are inserted with the booking itself.
import { appointmentReminderTimes } from '../notifications/plan-appointment-reminders.js';
import type { IntervalRule } from '../vaccination/interval-rules.js';
import { getAppointmentView, type AppointmentView } from './appointment-view.js';
import { newBookingCode } from './booking-code.js';
import { bookableRange, checkSlotForDose, planNextDose, type DosePlan } from './dose-rules.js';
import { findFreeSlots, findHospitalsWithFreeSlots, type FreeSlot, type HospitalWithFreeSlots } from './find-free-slots.js';

/** What to offer when the chosen slot is full: other times at the same hospital first. */
export interface BookingAlternatives {
  sameHospital: FreeSlot[];
  nearbyHospitals: HospitalWithFreeSlots[];
}

export type BookingRefusal =
  | { code: 'unknown-person' }
  | { code: 'not-owner' }
  | { code: 'unknown-slot' }
  | { code: 'not-screened' }
  /** The person's priority group may book from `opensOn` (null: no phase lists the group yet). */
  | { code: 'not-eligible-yet'; opensOn: string | null }
  | { code: 'already-booked'; appointmentCode: string; doseNumber: number }
  | { code: 'series-complete'; doseNumber: number }
  | { code: 'dose-not-due' | 'dose-window-passed'; doseNumber: number; earliest: string; latest: string }
  | { code: 'product-not-allowed'; doseNumber: number; allowedProducts: string[] }
  | { code: 'in-the-past' }
  | { code: 'slot-closed' }
  | { code: 'slot-full'; alternatives: BookingAlternatives };

export type BookingRefusalCode = BookingRefusal['code'];

export type BookAppointmentResult =
  | { ok: true; appointment: AppointmentView; repeated: boolean }
  | { ok: false; refusal: BookingRefusal };

export interface BookAppointmentOptions {
  /** The root client (a transaction of its own) or a transaction to join. */
  db: Db | PrismaClient;
  personId: string;
  slotId: string;
  /** One per confirm screen: repeating a call with it returns the first call's appointment. */
  idempotencyKey: string;
  /** Who books, for the audit trail: 'line:<userId>' | 'admin:<name>'. */
  actor: string;
  /** The LINE user who manages the person: must own the person, and gets the reminders. */
  lineUserId: string;
  now: Date;
  /** Look up alternatives when the slot is full (default true; the benchmark's callers too). */
  withAlternatives?: boolean;
  /** Shares alternative searches between callers that find the same slot full (see alternatives-cache.ts). */
  alternativesCache?: AlternativesCache;
}

const SAME_HOSPITAL_ALTERNATIVES = 5;
const NEARBY_ALTERNATIVES = 3;
/** A random 40-bit code collides about once in a trillion; a few draws are plenty. */
const CODE_ATTEMPTS = 5;

/** Books the next dose of a person in a slot, or says why not. See the module comment. */
export async function bookAppointment(options: BookAppointmentOptions): Promise<BookAppointmentResult> {
  const { db } = options;
  return isRootClient(db) ? book(db, options, writeAlone) : book(db, options, writeInTransaction);
}

/**
 * The root client, not a transaction? A transaction client also has `$transaction` (nested
 * transactions) but not `$disconnect`.
 */
export function isRootClient(db: Db | PrismaClient): db is PrismaClient {
  return typeof (db as Partial<PrismaClient>).$disconnect === 'function';
}

type WriteOutcome = BookAppointmentResult | 'full' | 'closed';
type WriteOptions = BookAppointmentOptions & { doseNumber: number; slotDate: string; today: string; facts: BookingFacts };

async function book(db: Db, options: BookAppointmentOptions, write: (db: Db, options: WriteOptions) => Promise<WriteOutcome>): Promise<BookAppointmentResult> {
  const { personId, slotId, idempotencyKey, actor, lineUserId, now } = options;

  // Round trip 1: everything the rules need (measured: one statement instead of a dozen
  // Prisma queries made a booking ~5x cheaper; see docs/BENCHMARKS.md).
  const facts = await readBookingFacts(db, { personId, slotId, idempotencyKey });
  if (facts.existing) return repeatedResult(db, facts.existing, personId);
  if (!facts.ownerId) return refuse({ code: 'unknown-person' });
  if (facts.ownerId !== lineUserId) return refuse({ code: 'not-owner' });
  if (!facts.slotDate) return refuse({ code: 'unknown-slot' });

  const today = bangkokToday(now);
  const slotDate = facts.slotDate.toISOString().slice(0, 10);
  if (isOver({ date: slotDate, endTime: facts.endTime! }, now)) return refuse({ code: 'in-the-past' });
  if (facts.slotStatus !== 'OPEN') return refuse({ code: 'slot-closed' });

  // The same decision as getBookingEligibility (its tests and ours pin it), from the facts read.
  if (!facts.priorityGroup) return refuse({ code: 'not-screened' });
  const opensOn = facts.opensOn ? facts.opensOn.toISOString().slice(0, 10) : null;
  if (opensOn === null || opensOn > today) return refuse({ code: 'not-eligible-yet', opensOn });

  // Dose rules on the slot's day: interval policies are effective-dated.
  const plan = planNextDose({
    doses: facts.doses.map((d) => ({ doseNumber: d.doseNumber, productCode: d.productCode, date: bangkokToday(new Date(d.administeredAt)) })),
    active: facts.active,
    rules: facts.rules,
    onDate: slotDate,
    ...(facts.seriesDoses !== null ? { seriesDoses: facts.seriesDoses } : {}),
  });
  if (plan.status === 'already-booked') return refuse({ code: 'already-booked', appointmentCode: plan.appointmentCode, doseNumber: plan.doseNumber });
  if (plan.status === 'series-complete') return refuse({ code: 'series-complete', doseNumber: plan.doseNumber });
  const doseCheck = checkSlotForDose(plan, { productCode: facts.productCode!, date: slotDate });
  if (!doseCheck.ok) {
    return refuse(
      doseCheck.code === 'product-not-allowed'
        ? { code: doseCheck.code, doseNumber: plan.doseNumber, allowedProducts: doseCheck.allowedProducts }
        : { code: doseCheck.code, doseNumber: plan.doseNumber, earliest: doseCheck.earliest, latest: doseCheck.latest },
    );
  }

  const slotFull = async (): Promise<BookAppointmentResult> => {
    if (options.withAlternatives === false) return refuse({ code: 'slot-full', alternatives: { sameHospital: [], nearbyHospitals: [] } });
    const search = () =>
      findAlternatives(db, { plan, now, slotId, hospitalCode: facts.hospitalCode!, near: { latitude: facts.hospitalLatitude!, longitude: facts.hospitalLongitude! } });
    // The same slot and dose range give the same alternatives, whoever asks.
    const key = `${slotId}|${today}|${JSON.stringify(bookableRange(plan, today))}`;
    const alternatives = options.alternativesCache ? await options.alternativesCache.get(key, search) : await search();
    return refuse({ code: 'slot-full', alternatives });
  };
  // Full already when read: no need to try (booking day's most common answer, once slots fill).
  if (facts.booked! >= facts.capacity!) return slotFull();

  const outcome = await write(db, { ...options, doseNumber: plan.doseNumber, slotDate, today, facts });
  if (outcome === 'full') return slotFull();
  if (outcome === 'closed') return refuse({ code: 'slot-closed' });
  return outcome;
}

/**
 * With the root client: the booking is ONE statement, its own transaction. That matters on
 * booking day: the slot's row is locked from the capacity UPDATE to the commit, and here the
 * commit follows inside PostgreSQL instead of after more round trips to this process, so the
 * people booking the same slot queue for microseconds, not milliseconds.
 *
 * The decisions were made on a read just before; under READ COMMITTED a read inside a
 * transaction would see no more than that, and everything that could have changed since is
 * re-checked here: capacity, status and day in the UPDATE, one appointment per key and per
 * person and dose by the unique indexes (ON CONFLICT DO NOTHING: nothing inserted, no place
 * taken). The appointment is inserted first, then the place taken only if it was; should the
 * slot have filled in between, the guard makes the statement fail, which rolls all of it back.
 */
async function writeAlone(db: Db, options: WriteOptions): Promise<WriteOutcome> {
  const { personId, slotId, idempotencyKey, actor, lineUserId, now, doseNumber, slotDate, today, facts } = options;
  const reminders = appointmentReminderTimes(slotDate, now);
  for (let attempt = 1; ; attempt++) {
    const id = randomUUID();
    const code = newBookingCode();
    let written: { inserted: number } | undefined;
    try {
      [written] = await db.$queryRaw<Array<{ inserted: number }>>`
        WITH appt AS (
          INSERT INTO appointment (id, code, person_id, dose_number, active_dose, slot_id, status, idempotency_key, booked_by, version, created_at, updated_at)
          SELECT ${id}::uuid, ${code}, ${personId}::uuid, ${doseNumber}::int, ${doseNumber}::int, ${slotId}::uuid, 'BOOKED',
                 ${idempotencyKey}, ${actor}, 1, ${now}, ${now}
           WHERE EXISTS (SELECT 1 FROM slot WHERE id = ${slotId}::uuid AND status = 'OPEN' AND booked < capacity AND date >= ${today}::date)
          ON CONFLICT DO NOTHING
          RETURNING id
        ), place AS (
          UPDATE slot SET booked = booked + 1, updated_at = ${now}
           WHERE id = ${slotId}::uuid AND EXISTS (SELECT 1 FROM appt)
             AND status = 'OPEN' AND booked < capacity AND date >= ${today}::date
          RETURNING id
        ), event AS (
          INSERT INTO appointment_event (id, appointment_id, type, actor, to_slot_id, at)
          SELECT gen_random_uuid(), appt.id, 'booked', ${actor}, ${slotId}::uuid, ${now} FROM appt
        ), reminders AS (
          INSERT INTO notification (id, line_user_id, kind, person_id, appointment_id, appointment_version, due_at, created_at)
          SELECT gen_random_uuid(), ${lineUserId}, r.kind, ${personId}::uuid, appt.id, 1, r.due_at, ${now}
            FROM appt, unnest(${reminders.map((r) => r.kind)}::text[], ${reminders.map((r) => r.dueAt)}::timestamptz[]) AS r(kind, due_at)
        )
        SELECT (SELECT count(*) FROM appt)::int AS inserted,
               -- The guard: an appointment without its place fails the statement (a runtime cast
               -- error naming the reason), so nothing of it stays.
               CASE WHEN (SELECT count(*) FROM appt) > (SELECT count(*) FROM place)
                    THEN (${OVERSELL_GUARD}::text || (SELECT count(*) FROM appt))::int END AS guard`;
    } catch (error) {
      if (String((error as Error).message).includes(OVERSELL_GUARD)) return slotState(db, slotId);
      throw error;
    }
    if (written!.inserted === 1) {
      return { ok: true, repeated: false, appointment: viewOf(facts, { id, code, personId, doseNumber, slotId, date: slotDate }) };
    }
    // Nothing inserted: the slot had no room when the statement began, or a unique index said no.
    const winner = await db.appointment.findUnique({ where: { idempotencyKey }, select: { id: true, personId: true } });
    if (winner) return repeatedResult(db, winner, personId);
    const slot = await db.slot.findUnique({ where: { id: slotId }, select: { status: true, booked: true, capacity: true } });
    if (slot?.status !== 'OPEN') return 'closed';
    if (slot.booked >= slot.capacity) return 'full';
    const active = await db.appointment.findFirst({ where: { personId, activeDose: doseNumber }, select: { code: true } });
    if (active) return refuse({ code: 'already-booked', appointmentCode: active.code, doseNumber });
    // Otherwise the random code was taken: draw again.
    if (attempt >= CODE_ATTEMPTS) throw new Error(`no free booking code after ${CODE_ATTEMPTS} attempts`);
  }
}

const OVERSELL_GUARD = 'booking-oversell-guard:';

/** Why a place could not be taken: closed (or gone), else full. */
async function slotState(db: Db, slotId: string): Promise<'full' | 'closed'> {
  const current = await db.slot.findUnique({ where: { id: slotId }, select: { status: true } });
  return current?.status === 'OPEN' ? 'full' : 'closed';
}

/**
 * Inside the caller's transaction (a chat event's): take the place first, then insert; a
 * unique index saying no gives the place back in the same transaction, without aborting it.
 */
async function writeInTransaction(db: Db, options: WriteOptions): Promise<WriteOutcome> {
  const { personId, slotId, idempotencyKey, actor, lineUserId, now, doseNumber, slotDate, today, facts } = options;
  const plan = { doseNumber };
  const reminders = appointmentReminderTimes(slotDate, now);
  for (let attempt = 1; ; attempt++) {
    const id = randomUUID();
    const code = newBookingCode();
    // Round trip 2: take the place (the atomic capacity check), insert the appointment, its
    // audit event and its reminders, in one statement. The appointment is inserted only if the
    // place was taken; ON CONFLICT DO NOTHING turns a lost race on a unique index into "not
    // inserted" instead of an error that would abort the caller's transaction.
    const [written] = await db.$queryRaw<Array<{ taken: number; inserted: number }>>`
      WITH place AS (
        UPDATE slot SET booked = booked + 1, updated_at = ${now}
         WHERE id = ${slotId}::uuid AND status = 'OPEN' AND booked < capacity AND date >= ${today}::date
        RETURNING id
      ), appt AS (
        INSERT INTO appointment (id, code, person_id, dose_number, active_dose, slot_id, status, idempotency_key, booked_by, version, created_at, updated_at)
        SELECT ${id}::uuid, ${code}, ${personId}::uuid, ${plan.doseNumber}::int, ${plan.doseNumber}::int, place.id, 'BOOKED',
               ${idempotencyKey}, ${actor}, 1, ${now}, ${now}
          FROM place
        ON CONFLICT DO NOTHING
        RETURNING id
      ), event AS (
        INSERT INTO appointment_event (id, appointment_id, type, actor, to_slot_id, at)
        SELECT gen_random_uuid(), appt.id, 'booked', ${actor}, ${slotId}::uuid, ${now} FROM appt
      ), reminders AS (
        INSERT INTO notification (id, line_user_id, kind, person_id, appointment_id, appointment_version, due_at, created_at)
        SELECT gen_random_uuid(), ${lineUserId}, r.kind, ${personId}::uuid, appt.id, 1, r.due_at, ${now}
          FROM appt, unnest(${reminders.map((r) => r.kind)}::text[], ${reminders.map((r) => r.dueAt)}::timestamptz[]) AS r(kind, due_at)
      )
      SELECT (SELECT count(*) FROM place)::int AS taken, (SELECT count(*) FROM appt)::int AS inserted`;
    if (written!.inserted === 1) {
      return { ok: true, repeated: false, appointment: viewOf(facts, { id, code, personId, doseNumber: plan.doseNumber, slotId, date: slotDate }) };
    }
    if (written!.taken === 0) {
      // Closed or filled since it was read.
      return slotState(db, slotId);
    }
    // The place is ours but a unique index said no: give the place back, then see why. ON
    // CONFLICT waited for the other transaction to commit, so under READ COMMITTED the
    // winner is visible now.
    await releasePlace(db, slotId);
    const winner = await db.appointment.findUnique({ where: { idempotencyKey }, select: { id: true, personId: true } });
    if (winner) return repeatedResult(db, winner, personId);
    const active = await db.appointment.findFirst({ where: { personId, activeDose: plan.doseNumber }, select: { code: true } });
    if (active) return refuse({ code: 'already-booked', appointmentCode: active.code, doseNumber: plan.doseNumber });
    // Otherwise the random code was taken: draw again.
    if (attempt >= CODE_ATTEMPTS) throw new Error(`no free booking code after ${CODE_ATTEMPTS} attempts`);
  }
}

interface BookingFacts {
  existing: { id: string; personId: string } | null;
  ownerId: string | null;
  firstName: string | null;
  lastName: string | null;
  isSelf: boolean | null;
  priorityGroup: string | null;
  opensOn: Date | null;
  doses: Array<{ doseNumber: number; productCode: string; administeredAt: string }>;
  active: Array<{ doseNumber: number; code: string }>;
  rules: IntervalRule[];
  seriesDoses: number | null;
  slotDate: Date | null;
  startTime: string | null;
  endTime: string | null;
  slotStatus: string | null;
  capacity: number | null;
  booked: number | null;
  productCode: string | null;
  productNameTh: string | null;
  productNameEn: string | null;
  hospitalCode: string | null;
  hospitalNameTh: string | null;
  hospitalNameEn: string | null;
  hospitalPhone: string | null;
  hospitalLatitude: number | null;
  hospitalLongitude: number | null;
}

/**
 * One statement: the appointment of the key, the person and their latest screening's phase
 * (the province's own row, else the nationwide one: as bookingOpensOn), recorded doses,
 * active appointments, the interval rules after the last dose, and the slot with its hospital
 * and product. Missing rows come back as nulls.
 */
async function readBookingFacts(db: Db, ids: { personId: string; slotId: string; idempotencyKey: string }): Promise<BookingFacts> {
  const [facts] = await db.$queryRaw<BookingFacts[]>`
    WITH last_dose AS (
      SELECT v.product_code FROM vaccination v
       WHERE v.person_id = ${ids.personId}::uuid AND v.status = 'RECORDED'
       ORDER BY v.dose_number DESC, v.administered_at DESC LIMIT 1
    )
    SELECT
      (SELECT json_build_object('id', a.id, 'personId', a.person_id) FROM appointment a WHERE a.idempotency_key = ${ids.idempotencyKey}) AS existing,
      p.owner_id AS "ownerId", p.first_name AS "firstName", p.last_name AS "lastName", p.is_self AS "isSelf",
      sc.priority_group AS "priorityGroup",
      (SELECT cp.booking_opens_on FROM campaign_phase cp
        WHERE cp.priority_group = sc.priority_group AND (cp.province_code = p.province_code OR cp.province_code IS NULL)
        ORDER BY cp.province_code NULLS LAST LIMIT 1) AS "opensOn",
      (SELECT coalesce(json_agg(json_build_object('doseNumber', v.dose_number, 'productCode', v.product_code, 'administeredAt', v.administered_at)), '[]'::json)
         FROM vaccination v WHERE v.person_id = p.id AND v.status = 'RECORDED') AS doses,
      (SELECT coalesce(json_agg(json_build_object('doseNumber', a.dose_number, 'code', a.code)), '[]'::json)
         FROM appointment a WHERE a.person_id = p.id AND a.active_dose IS NOT NULL) AS active,
      (SELECT coalesce(json_agg(json_build_object('firstProductCode', r.first_product_code, 'secondProductCode', r.second_product_code,
                'minDays', r.min_days, 'maxDays', r.max_days, 'effectiveFrom', r.effective_from, 'effectiveTo', r.effective_to)), '[]'::json)
         FROM dose_interval_rule r WHERE r.first_product_code = (SELECT product_code FROM last_dose)) AS rules,
      (SELECT vp.primary_series_doses FROM vaccine_product vp WHERE vp.code = (SELECT product_code FROM last_dose)) AS "seriesDoses",
      s.date AS "slotDate", s.start_time AS "startTime", s.end_time AS "endTime", s.status::text AS "slotStatus", s.capacity, s.booked,
      s.product_code AS "productCode", pr.name_th AS "productNameTh", pr.name_en AS "productNameEn",
      h.code AS "hospitalCode", h.name_th AS "hospitalNameTh", h.name_en AS "hospitalNameEn", h.phone AS "hospitalPhone",
      h.latitude AS "hospitalLatitude", h.longitude AS "hospitalLongitude"
    FROM (SELECT 1) AS one
    LEFT JOIN person p ON p.id = ${ids.personId}::uuid
    LEFT JOIN LATERAL (SELECT r.priority_group FROM risk_screening r WHERE r.person_id = p.id ORDER BY r.screened_at DESC LIMIT 1) sc ON true
    LEFT JOIN slot s ON s.id = ${ids.slotId}::uuid
    LEFT JOIN hospital h ON h.code = s.hospital_code
    LEFT JOIN vaccine_product pr ON pr.code = s.product_code`;
  return facts!;
}

/** The new appointment as the citizen sees it, from what was read and written. */
function viewOf(facts: BookingFacts, a: { id: string; code: string; personId: string; doseNumber: number; slotId: string; date: string }): AppointmentView {
  return {
    id: a.id,
    code: a.code,
    version: 1,
    status: 'BOOKED',
    doseNumber: a.doseNumber,
    personId: a.personId,
    ownerLineUserId: facts.ownerId!,
    personFirstName: facts.firstName!,
    personLastName: facts.lastName!,
    isSelf: facts.isSelf!,
    slotId: a.slotId,
    date: a.date,
    startTime: facts.startTime!,
    endTime: facts.endTime!,
    hospitalCode: facts.hospitalCode!,
    hospitalNameTh: facts.hospitalNameTh!,
    hospitalNameEn: facts.hospitalNameEn!,
    hospitalPhone: facts.hospitalPhone,
    hospitalLatitude: facts.hospitalLatitude!,
    hospitalLongitude: facts.hospitalLongitude!,
    productCode: facts.productCode!,
    productNameTh: facts.productNameTh!,
    productNameEn: facts.productNameEn!,
  };
}


/** The appointment an earlier call with this key made, as a repeated success. */
async function repeatedResult(db: Db, existing: { id: string; personId: string }, personId: string): Promise<BookAppointmentResult> {
  // A key is a secret of one confirm screen; one used for somebody else shows nothing of theirs.
  if (existing.personId !== personId) return refuse({ code: 'not-owner' });
  const appointment = await getAppointmentView(db, { id: existing.id });
  return { ok: true, appointment: appointment!, repeated: true };
}

/**
 * The next free places a person could take instead: other times and days at the same
 * hospital, then the nearest other hospitals with room (products and days the dose allows).
 */
export async function findAlternatives(
  db: Db | PrismaClient,
  options: { plan: Extract<DosePlan, { status: 'open' | 'follow-up' }>; now: Date; slotId?: string; hospitalCode: string; near: { latitude: number; longitude: number } },
): Promise<BookingAlternatives> {
  const today = bangkokToday(options.now);
  const range = bookableRange(options.plan, today);
  if (!range) return { sameHospital: [], nearbyHospitals: [] };
  const search = { db, fromDate: range.fromDate, toDate: range.toDate, ...(range.productCodes ? { productCodes: range.productCodes } : {}) };
  const sameHospitalSearch = () => findFreeSlots({ ...search, hospitalCode: options.hospitalCode, limit: SAME_HOSPITAL_ALTERNATIVES + 2 });
  const nearbySearch = () => findHospitalsWithFreeSlots({ ...search, near: options.near, excludeHospitalCodes: [options.hospitalCode], limit: NEARBY_ALTERNATIVES });
  // Two connections at once with the root client; one after the other inside a transaction.
  const [slots, nearbyHospitals] = isRootClient(db as Db | PrismaClient)
    ? await Promise.all([sameHospitalSearch(), nearbySearch()])
    : [await sameHospitalSearch(), await nearbySearch()];
  const sameHospital = slots.filter((s) => s.slotId !== options.slotId && !isOver(s, options.now)).slice(0, SAME_HOSPITAL_ALTERNATIVES);
  return { sameHospital, nearbyHospitals };
}

function refuse(refusal: BookingRefusal): BookAppointmentResult {
  return { ok: false, refusal };
}

/** Whether a slot's window has ended at `now` (a day before today, or today and past its end). */
export function isOver(slot: { date: string; endTime: string }, now: Date): boolean {
  const today = bangkokToday(now);
  // 'HH:MM' in Asia/Bangkok (UTC+7, no daylight saving).
  const clock = new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(11, 16);
  return slot.date < today || (slot.date === today && slot.endTime <= clock);
}
