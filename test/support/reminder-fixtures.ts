/**
 * Appointments for the reminder tests, written with Prisma directly (not through the booking
 * flow, which other tests cover) and their reminders planned the way every booking use case
 * does: replanAppointmentReminders in the same transaction.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.js';
import { replanAppointmentReminders } from '../../src/domain/notifications/plan-appointment-reminders.js';

export interface BookedAppointment {
  id: string;
  code: string;
  lineUserId: string;
  personId: string;
  date: string;
  version: number;
}

export function newLineUserId(): string {
  return `U${randomBytes(16).toString('hex')}`;
}

/** A slot at the first seeded hospital on `date` (YYYY-MM-DD), created if missing. */
export async function slotOn(db: PrismaClient, date: string, startTime = '09:00'): Promise<string> {
  const hospital = await db.hospital.findFirstOrThrow({ orderBy: { code: 'asc' } });
  const product = await db.vaccineProduct.findFirstOrThrow({ orderBy: { code: 'asc' } });
  const slot = await db.slot.upsert({
    where: { hospitalCode_date_startTime_productCode: { hospitalCode: hospital.code, date: new Date(`${date}T00:00:00Z`), startTime, productCode: product.code } },
    create: { hospitalCode: hospital.code, productCode: product.code, date: new Date(`${date}T00:00:00Z`), startTime, endTime: '10:00', capacity: 100 },
    update: {},
  });
  return slot.id;
}

/** A LINE user (following, in `locale`) with one person booked on `date`; reminders planned at `now`. */
export async function bookAppointment(
  db: PrismaClient,
  options: { date: string; now: Date; locale?: 'th' | 'en'; lineUserId?: string; firstName?: string },
): Promise<BookedAppointment> {
  const lineUserId = options.lineUserId ?? newLineUserId();
  const slotId = await slotOn(db, options.date);
  return db.$transaction(async (tx) => {
    await tx.lineUser.upsert({ where: { id: lineUserId }, create: { id: lineUserId, locale: options.locale ?? 'th' }, update: {} });
    const person = await tx.person.create({
      data: {
        ownerId: lineUserId,
        isSelf: true,
        identityType: 'THAI_ID',
        idHash: randomBytes(32).toString('hex'),
        idCiphertext: 'not-a-real-id',
        nationality: 'THA',
        firstName: options.firstName ?? 'สมชาย',
        lastName: 'ใจดี',
        birthDate: new Date('1960-01-01T00:00:00Z'),
        sex: 'male',
        phone: '+66812345678',
        provinceCode: '10',
        verificationStatus: 'VERIFIED',
      },
    });
    const appointment = await tx.appointment.create({
      data: {
        code: randomBytes(4).toString('hex').toUpperCase(),
        personId: person.id,
        doseNumber: 1,
        activeDose: 1,
        slotId,
        idempotencyKey: randomUUID(),
        bookedBy: `line:${lineUserId}`,
      },
    });
    await replanAppointmentReminders(tx, { id: appointment.id, version: appointment.version, status: 'BOOKED', personId: person.id, lineUserId, date: options.date }, options.now);
    return { id: appointment.id, code: appointment.code, lineUserId, personId: person.id, date: options.date, version: appointment.version };
  });
}

/** Changes an appointment the way the booking use cases do (version bump + replanned reminders). */
export async function changeAppointment(
  db: PrismaClient,
  appointment: BookedAppointment,
  change: { status?: 'BOOKED' | 'CANCELLED'; date?: string },
  now: Date,
  options: { replan?: boolean } = {},
): Promise<BookedAppointment> {
  const date = change.date ?? appointment.date;
  const slotId = change.date ? await slotOn(db, change.date) : undefined;
  return db.$transaction(async (tx) => {
    const status = change.status ?? 'BOOKED';
    const updated = await tx.appointment.update({
      where: { id: appointment.id },
      data: { status, version: { increment: 1 }, ...(slotId && { slotId }), ...(status === 'CANCELLED' && { activeDose: null }) },
    });
    if (options.replan !== false) {
      await replanAppointmentReminders(tx, { id: updated.id, version: updated.version, status, personId: appointment.personId, lineUserId: appointment.lineUserId, date }, now);
    }
    return { ...appointment, date, version: updated.version };
  });
}
