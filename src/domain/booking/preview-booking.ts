/**
 * What the booking chat shows before anything is booked: the confirm summary of a person and
 * a slot, and a hospital's name. Reads only; the booking use case re-checks everything.
 */
import type { Db } from '../../db/client.js';

export interface BookingPreview {
  personFirstName: string;
  personLastName: string;
  slotId: string;
  hospitalCode: string;
  hospitalNameTh: string;
  hospitalNameEn: string;
  /** YYYY-MM-DD */
  date: string;
  startTime: string;
  endTime: string;
  productCode: string;
  productNameTh: string;
  productNameEn: string;
  free: number;
}

/** The person (who must be managed by `lineUserId`) and the slot, or null if either is gone. */
export async function getBookingPreview(options: { db: Db; lineUserId: string; personId: string; slotId: string }): Promise<BookingPreview | null> {
  const { db, lineUserId, personId, slotId } = options;
  const person = await db.person.findFirst({ where: { id: personId, ownerId: lineUserId }, select: { firstName: true, lastName: true } });
  const slot = await db.slot.findUnique({ where: { id: slotId }, include: { hospital: true, product: true } });
  if (!person || !slot) return null;
  return {
    personFirstName: person.firstName,
    personLastName: person.lastName,
    slotId: slot.id,
    hospitalCode: slot.hospitalCode,
    hospitalNameTh: slot.hospital.nameTh,
    hospitalNameEn: slot.hospital.nameEn,
    date: slot.date.toISOString().slice(0, 10),
    startTime: slot.startTime,
    endTime: slot.endTime,
    productCode: slot.productCode,
    productNameTh: slot.product.nameTh,
    productNameEn: slot.product.nameEn,
    free: Math.max(0, slot.capacity - slot.booked),
  };
}

export async function getHospitalName(options: { db: Db; code: string }): Promise<{ code: string; nameTh: string; nameEn: string } | null> {
  return options.db.hospital.findUnique({ where: { code: options.code }, select: { code: true, nameTh: true, nameEn: true } });
}
