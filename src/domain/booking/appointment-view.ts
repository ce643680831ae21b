/**
 * An appointment as the citizen sees it (cards, lists, reminders): with its hospital, product,
 * slot and the person's name. No ID numbers.
 */
import type { Db } from '../../db/client.js';
import type { AppointmentStatus } from '../../generated/prisma/client.js';

export interface AppointmentView {
  id: string;
  code: string;
  version: number;
  status: AppointmentStatus;
  doseNumber: number;
  personId: string;
  /** The LINE account that manages the person. */
  ownerLineUserId: string;
  personFirstName: string;
  personLastName: string;
  isSelf: boolean;
  slotId: string;
  /** YYYY-MM-DD, Asia/Bangkok */
  date: string;
  startTime: string;
  endTime: string;
  hospitalCode: string;
  hospitalNameTh: string;
  hospitalNameEn: string;
  hospitalPhone: string | null;
  hospitalLatitude: number;
  hospitalLongitude: number;
  productCode: string;
  productNameTh: string;
  productNameEn: string;
}

const include = {
  person: { select: { ownerId: true, firstName: true, lastName: true, isSelf: true } },
  slot: { include: { hospital: true, product: true } },
} as const;

type Row = NonNullable<Awaited<ReturnType<typeof findRow>>>;
function findRow(db: Db, where: { id: string } | { code: string }) {
  return db.appointment.findUnique({ where, include });
}

function toView(row: Row): AppointmentView {
  const { slot, person } = row;
  return {
    id: row.id,
    code: row.code,
    version: row.version,
    status: row.status,
    doseNumber: row.doseNumber,
    personId: row.personId,
    ownerLineUserId: person.ownerId,
    personFirstName: person.firstName,
    personLastName: person.lastName,
    isSelf: person.isSelf,
    slotId: slot.id,
    date: slot.date.toISOString().slice(0, 10),
    startTime: slot.startTime,
    endTime: slot.endTime,
    hospitalCode: slot.hospital.code,
    hospitalNameTh: slot.hospital.nameTh,
    hospitalNameEn: slot.hospital.nameEn,
    hospitalPhone: slot.hospital.phone,
    hospitalLatitude: slot.hospital.latitude,
    hospitalLongitude: slot.hospital.longitude,
    productCode: slot.product.code,
    productNameTh: slot.product.nameTh,
    productNameEn: slot.product.nameEn,
  };
}

export async function getAppointmentView(db: Db, where: { id: string } | { code: string }): Promise<AppointmentView | null> {
  const row = await findRow(db, where);
  return row ? toView(row) : null;
}

/** Every appointment of the people a LINE account manages, soonest first. */
export async function listAppointmentViewsOfOwner(db: Db, ownerLineUserId: string): Promise<AppointmentView[]> {
  const rows = await db.appointment.findMany({
    where: { person: { ownerId: ownerLineUserId } },
    include,
    orderBy: [{ slot: { date: 'asc' } }, { slot: { startTime: 'asc' } }],
  });
  return rows.map(toView);
}
