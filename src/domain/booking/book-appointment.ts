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
 * 3. One write (a single statement, its own transaction): the capacity check and the place
 *    (UPDATE ... WHERE booked < capacity), the appointment (ON CONFLICT DO NOTHING: a lost race
 *    on a unique index, same key or same person and dose, inserts nothing and takes no place),
 *    the audit event 'booked' and the two reminders. See writeBooking.
 *
 * One path for every caller. The reads go through the client given (a chat event's
 * transaction: they see what the user's earlier events of the same round wrote); the write
 * always commits alone on the root client's pool (`commitOn`), so the slot's row is locked
 * for one statement, not for the rest of a chat round. That is what booking day needs: a
 * thousand people confirming the same few slots queue for microseconds each (and a write that
 * finds the row held by a round's transaction gives up after 2 s instead of waiting for it:
 * autonomousPoolOf). A chat event
 * whose transaction rolls back after the write (a crash, a failed round) is handled again with
 * the same idempotency key (its confirm screen's, kept in the conversation state that rolled
 * back too) and answers the same appointment (`repeated`): booked once, answered once.
 *
 * Measured (docs/BENCHMARKS.md, bench:booking): the first version, a dozen Prisma queries in
 * an interactive transaction, cost ~17 ms an attempt alone on this machine; this one 2
 * statements run as prepared statements on node-postgres (see Statements).
 * The reminders follow replanAppointmentReminders' policy (a new appointment has none to
 * withdraw); the eligibility follows getBookingEligibility's (tests pin both).
 */
import type { AlternativesCache } from './alternatives-cache.js';
import { randomUUID } from 'node:crypto';
import type { Db, PrismaClient } from '../../db/client.js';
import { autonomousStatementsOn, statementsOn, type Statement, type Statements } from '../../db/statements.js';
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
  /** Where the booking's facts are read: the root client, or the caller's transaction. */
  db: Db | PrismaClient;
  /** The root client the write commits on, alone; needed when `db` is a transaction. */
  commitOn?: PrismaClient;
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
  const commitOn = options.commitOn ?? (isRootClient(options.db) ? options.db : undefined);
  if (!commitOn) throw new Error('bookAppointment in a transaction needs commitOn (the root client its write commits on)');
  return book(statementsOn(options.db), autonomousStatementsOn(commitOn), options);
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

/** `sql` reads (as the caller sees the database), `committed` writes alone and checks against what is committed. */
async function book(sql: Statements, committed: Statements, options: BookAppointmentOptions): Promise<BookAppointmentResult> {
  const { db } = sql;
  const { personId, slotId, idempotencyKey, lineUserId, now } = options;

  // Round trip 1: everything the rules need (measured: one statement instead of a dozen
  // Prisma queries made a booking ~5x cheaper; see docs/BENCHMARKS.md).
  const facts = await readBookingFacts(sql, { personId, slotId, idempotencyKey });
  if (facts.existing) return repeatedResult(sql, facts, facts.existing, personId);
  if (!facts.ownerId) return refuse({ code: 'unknown-person' });
  if (facts.ownerId !== lineUserId) return refuse({ code: 'not-owner' });
  if (!facts.slotDate) return refuse({ code: 'unknown-slot' });

  const today = bangkokToday(now);
  const slotDate = facts.slotDate;
  if (isOver({ date: slotDate, endTime: facts.endTime! }, now)) return refuse({ code: 'in-the-past' });
  if (facts.slotStatus !== 'OPEN') return refuse({ code: 'slot-closed' });

  // The same decision as getBookingEligibility (its tests and ours pin it), from the facts read.
  if (!facts.priorityGroup) return refuse({ code: 'not-screened' });
  const opensOn = facts.opensOn;
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

  const outcome = await writeBooking(committed, sql, { ...options, doseNumber: plan.doseNumber, slotDate, today, facts });
  if (outcome === 'full') return slotFull();
  if (outcome === 'closed') return refuse({ code: 'slot-closed' });
  return outcome;
}

/**
 * The booking is ONE statement, its own transaction. That matters on booking day: the slot's
 * row is locked from the capacity UPDATE to the commit, and here the commit follows inside
 * PostgreSQL instead of after more round trips to this process (or the rest of a chat round),
 * so the people booking the same slot queue for microseconds, not milliseconds.
 *
 * The decisions were made on a read just before; everything that could have changed since is
 * re-checked here: capacity, status and day in the UPDATE, one appointment per key and per
 * person and dose by the unique indexes (ON CONFLICT DO NOTHING: nothing inserted, no place
 * taken). The appointment is inserted first, then the place taken only if it was; should the
 * slot have filled in between, the guard makes the statement fail, which rolls all of it back.
 * `committed` writes and checks what is committed; `reader` reads a repeated key's appointment as the caller sees it.
 */
async function writeBooking(committed: Statements, reader: Statements, options: WriteOptions): Promise<WriteOutcome> {
  const { personId, slotId, idempotencyKey, actor, lineUserId, now, doseNumber, slotDate, today, facts } = options;
  const reminders = appointmentReminderTimes(slotDate, now);
  for (let attempt = 1; ; attempt++) {
    const id = randomUUID();
    const code = newBookingCode();
    let written: { inserted: number } | undefined;
    try {
      [written] = await committed.run<{ inserted: number }>(WRITE_ALONE, [
        id, code, personId, doseNumber, slotId, idempotencyKey, actor, now, today, lineUserId,
        reminders.map((r) => r.kind), reminders.map((r) => r.dueAt),
      ]);
    } catch (error) {
      // The slot filled between the statement's check and its UPDATE.
      if (String((error as Error).message).includes(OVERSELL_GUARD)) return (await whyNotInserted(committed, options)).slot === 'closed' ? 'closed' : 'full';
      throw error;
    }
    if (written!.inserted === 1) {
      return { ok: true, repeated: false, appointment: viewOf(facts, { id, code, personId, doseNumber, slotId, status: 'BOOKED', version: 1 }) };
    }
    // Nothing inserted: the slot had no room when the statement began, or a unique index said no.
    const why = await whyNotInserted(committed, options);
    if (why.winner) return repeatedResult(reader, facts, why.winner, personId);
    if (why.slot !== 'open') return why.slot;
    if (why.activeCode) return refuse({ code: 'already-booked', appointmentCode: why.activeCode, doseNumber });
    // Otherwise the random code was taken: draw again.
    if (attempt >= CODE_ATTEMPTS) throw new Error(`no free booking code after ${CODE_ATTEMPTS} attempts`);
  }
}

const OVERSELL_GUARD = 'booking-oversell-guard:';

/**
 * writeBooking's statement. $1 id, $2 code, $3 person, $4 dose, $5 slot, $6 key, $7 actor,
 * $8 now, $9 today, $10 LINE user, $11/$12 the reminders' kinds and times.
 */
const WRITE_ALONE: Statement = {
  name: 'booking-write',
  text: `
    WITH appt AS (
      INSERT INTO appointment (id, code, person_id, dose_number, active_dose, slot_id, status, idempotency_key, booked_by, version, created_at, updated_at)
      SELECT $1::uuid, $2, $3::uuid, $4::int, $4::int, $5::uuid, 'BOOKED', $6, $7, 1, $8::timestamptz, $8::timestamptz
       WHERE EXISTS (SELECT 1 FROM slot WHERE id = $5::uuid AND status = 'OPEN' AND booked < capacity AND date >= $9::date)
      ON CONFLICT DO NOTHING
      RETURNING id
    ), place AS (
      UPDATE slot SET booked = booked + 1, updated_at = $8::timestamptz
       WHERE id = $5::uuid AND EXISTS (SELECT 1 FROM appt)
         AND status = 'OPEN' AND booked < capacity AND date >= $9::date
      RETURNING id
    ), event AS (
      INSERT INTO appointment_event (id, appointment_id, type, actor, to_slot_id, at)
      SELECT gen_random_uuid(), appt.id, 'booked', $7, $5::uuid, $8::timestamptz FROM appt
    ), reminders AS (
      INSERT INTO notification (id, line_user_id, kind, person_id, appointment_id, appointment_version, due_at, created_at)
      SELECT gen_random_uuid(), $10, r.kind, $3::uuid, appt.id, 1, r.due_at, $8::timestamptz
        FROM appt, unnest($11::text[], $12::timestamptz[]) AS r(kind, due_at)
    )
    SELECT (SELECT count(*) FROM appt)::int AS inserted,
           -- The guard: an appointment without its place fails the statement (a runtime cast
           -- error naming the reason), so nothing of it stays.
           CASE WHEN (SELECT count(*) FROM appt) > (SELECT count(*) FROM place)
                THEN ('${OVERSELL_GUARD}'::text || (SELECT count(*) FROM appt))::int END AS guard`,
};

/** The appointment a key booked, as the read and the checks after a write return it. */
interface KeyedAppointment {
  id: string;
  personId: string;
  slotId: string;
  code: string;
  status: AppointmentView['status'];
  version: number;
  doseNumber: number;
}

/** SQL for the KeyedAppointment of the idempotency key in parameter `key` (null if none). */
function appointmentOfKey(key: string): string {
  return `(SELECT json_build_object('id', a.id, 'personId', a.person_id, 'slotId', a.slot_id, 'code', a.code, 'status', a.status,
                                   'version', a.version, 'doseNumber', a.dose_number)
             FROM appointment a WHERE a.idempotency_key = ${key})`;
}

/**
 * Why a write inserted nothing, in one statement: the key's appointment (a concurrent tap of the
 * same confirm won; ON CONFLICT waited for it to commit, so under READ COMMITTED it is visible
 * now), the slot's state, the person's active appointment for the dose.
 */
async function whyNotInserted(sql: Statements, options: { idempotencyKey: string; personId: string; doseNumber: number; slotId: string }) {
  const [row] = await sql.run<{ winner: KeyedAppointment | null; activeCode: string | null; slotStatus: string | null; slotFull: boolean | null }>(WHY_NOT_INSERTED, [
    options.idempotencyKey, options.personId, options.doseNumber, options.slotId,
  ]);
  const slot: 'open' | 'full' | 'closed' = row!.slotStatus !== 'OPEN' ? 'closed' : row!.slotFull ? 'full' : 'open';
  return { winner: row!.winner, activeCode: row!.activeCode, slot };
}

const WHY_NOT_INSERTED: Statement = {
  name: 'booking-why-not-inserted',
  text: `
    SELECT ${appointmentOfKey('$1')} AS winner,
           (SELECT a.code FROM appointment a WHERE a.person_id = $2::uuid AND a.active_dose = $3::int) AS "activeCode",
           s.status::text AS "slotStatus", s.booked >= s.capacity AS "slotFull"
      FROM (SELECT 1) AS one LEFT JOIN slot s ON s.id = $4::uuid`,
};

interface BookingFacts {
  existing: KeyedAppointment | null;
  ownerId: string | null;
  firstName: string | null;
  lastName: string | null;
  isSelf: boolean | null;
  priorityGroup: string | null;
  /** YYYY-MM-DD */
  opensOn: string | null;
  doses: Array<{ doseNumber: number; productCode: string; administeredAt: string }>;
  active: Array<{ doseNumber: number; code: string }>;
  rules: IntervalRule[];
  seriesDoses: number | null;
  slotId: string | null;
  /** YYYY-MM-DD */
  slotDate: string | null;
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
async function readBookingFacts(sql: Statements, ids: { personId: string; slotId: string; idempotencyKey: string }): Promise<BookingFacts> {
  const [facts] = await sql.run<BookingFacts>(READ_BOOKING_FACTS, [ids.personId, ids.slotId, ids.idempotencyKey]);
  return facts!;
}

/** $1 person, $2 slot, $3 idempotency key. Days as text: no time zone on the way. */
const READ_BOOKING_FACTS: Statement = {
  name: 'booking-read-facts',
  text: `
    WITH last_dose AS (
      SELECT v.product_code FROM vaccination v
       WHERE v.person_id = $1::uuid AND v.status = 'RECORDED'
       ORDER BY v.dose_number DESC, v.administered_at DESC LIMIT 1
    )
    SELECT
      ${appointmentOfKey('$3')} AS existing,
      p.owner_id AS "ownerId", p.first_name AS "firstName", p.last_name AS "lastName", p.is_self AS "isSelf",
      sc.priority_group AS "priorityGroup",
      (SELECT to_char(cp.booking_opens_on, 'YYYY-MM-DD') FROM campaign_phase cp
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
      s.id AS "slotId", to_char(s.date, 'YYYY-MM-DD') AS "slotDate", s.start_time AS "startTime", s.end_time AS "endTime", s.status::text AS "slotStatus",
      s.capacity, s.booked, s.product_code AS "productCode", pr.name_th AS "productNameTh", pr.name_en AS "productNameEn",
      h.code AS "hospitalCode", h.name_th AS "hospitalNameTh", h.name_en AS "hospitalNameEn", h.phone AS "hospitalPhone",
      h.latitude AS "hospitalLatitude", h.longitude AS "hospitalLongitude"
    FROM (SELECT 1) AS one
    LEFT JOIN person p ON p.id = $1::uuid
    LEFT JOIN LATERAL (SELECT r.priority_group FROM risk_screening r WHERE r.person_id = p.id ORDER BY r.screened_at DESC LIMIT 1) sc ON true
    LEFT JOIN slot s ON s.id = $2::uuid
    LEFT JOIN hospital h ON h.code = s.hospital_code
    LEFT JOIN vaccine_product pr ON pr.code = s.product_code`,
};

/** An appointment in the slot read (new, or a repeated key's) as the citizen sees it, from what was read and written. */
function viewOf(facts: BookingFacts, a: KeyedAppointment): AppointmentView {
  return {
    id: a.id,
    code: a.code,
    version: a.version,
    status: a.status,
    doseNumber: a.doseNumber,
    personId: a.personId,
    ownerLineUserId: facts.ownerId!,
    personFirstName: facts.firstName!,
    personLastName: facts.lastName!,
    isSelf: facts.isSelf!,
    slotId: a.slotId,
    date: facts.slotDate!,
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


/**
 * The appointment an earlier call with this key made, as a repeated success. In its slot (a
 * double tap, a retry) the facts already read hold the rest of the view; moved since, it is read.
 */
async function repeatedResult(sql: Statements, facts: BookingFacts, existing: KeyedAppointment, personId: string): Promise<BookAppointmentResult> {
  // A key is a secret of one confirm screen; one used for somebody else shows nothing of theirs.
  if (existing.personId !== personId) return refuse({ code: 'not-owner' });
  const appointment = existing.slotId === facts.slotId ? viewOf(facts, existing) : await getAppointmentView(sql.db as Db, { id: existing.id });
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
