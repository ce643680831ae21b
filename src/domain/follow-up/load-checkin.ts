/** A check-in with what its messages need, read for its owner only. */
import type { Db } from '../../db/client.js';

export interface CheckinView {
  id: string;
  status: string;
  label: string;
  dueAt: Date;
  personId: string;
  vaccinationId: string;
  isSelf: boolean;
  firstName: string;
  doseNumber: number;
  administeredAt: Date;
  doseVoided: boolean;
  /** Follow-ups stopped for the person or for this dose. */
  stopped: boolean;
}

export async function loadCheckin(db: Db, checkinId: string, ownerId: string): Promise<CheckinView | null> {
  const row = await db.followUpCheckin.findFirst({
    where: { id: checkinId, person: { ownerId } },
    include: {
      person: { select: { isSelf: true, firstName: true, followUpsStoppedAt: true } },
      vaccination: { select: { doseNumber: true, administeredAt: true, status: true, followUpsStoppedAt: true } },
    },
  });
  if (!row) return null;
  return {
    id: row.id,
    status: row.status,
    label: row.label,
    dueAt: row.dueAt,
    personId: row.personId,
    vaccinationId: row.vaccinationId,
    isSelf: row.person.isSelf,
    firstName: row.person.firstName,
    doseNumber: row.vaccination.doseNumber,
    administeredAt: row.vaccination.administeredAt,
    doseVoided: row.vaccination.status === 'VOIDED',
    stopped: row.person.followUpsStoppedAt !== null || row.vaccination.followUpsStoppedAt !== null,
  };
}
