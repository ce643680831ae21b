/** A check-in with what its messages need, read for its owner only. */
import type { Db, PrismaClient } from '../../db/client.js';
import type { Statement } from '../../db/statements.js';
import { createStatementLookup } from '../../jobs/intake-batcher.js';

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

/** Loads a check-in for its owner (null when it is not theirs or gone). */
export type CheckinLoader = (db: Db, checkinId: string, ownerId: string) => Promise<CheckinView | null>;

export const loadCheckin: CheckinLoader = async (db, checkinId, ownerId) => {
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
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CheckinRow {
  id: string;
  status: string;
  label: string;
  due_at: Date;
  person_id: string;
  vaccination_id: string;
  owner_id: string;
  is_self: boolean;
  first_name: string;
  dose_number: number;
  administered_at: Date;
  dose_voided: boolean;
  stopped: boolean;
}

/** The same view as loadCheckin, for many check-ins in one statement. */
const READ_CHECKINS: Statement = {
  name: 'follow-up-checkin-views',
  text: `
    SELECT c.id, c.status, c.label, c.due_at, c.person_id, c.vaccination_id, p.owner_id, p.is_self, p.first_name,
           v.dose_number, v.administered_at, v.status::text = 'VOIDED' AS dose_voided,
           (p.follow_ups_stopped_at IS NOT NULL OR v.follow_ups_stopped_at IS NOT NULL) AS stopped
    FROM follow_up_checkin c
    JOIN person p ON p.id = c.person_id
    JOIN vaccination v ON v.id = c.vaccination_id
    WHERE c.id = ANY($1::uuid[])`,
};

/**
 * For the sender at 2,000 pushes/s: the check-ins being rendered at the same moment are read in
 * one statement (loadCheckin costs a Prisma query per check-in, the worker's main cost in
 * bench:followups). `db` is the client the loader was made with, not the caller's.
 */
export function createBatchedCheckinLoader(db: Db | PrismaClient): CheckinLoader {
  const lookup = createStatementLookup<CheckinRow>(db, READ_CHECKINS);
  return async (_db, checkinId, ownerId) => {
    // The id comes from the notification's data: one that is not a UUID must not fail the batch.
    if (!UUID.test(checkinId)) return null;
    const row = await lookup(checkinId);
    if (!row || row.owner_id !== ownerId) return null;
    return {
      id: row.id,
      status: row.status,
      label: row.label,
      dueAt: row.due_at,
      personId: row.person_id,
      vaccinationId: row.vaccination_id,
      isSelf: row.is_self,
      firstName: row.first_name,
      doseNumber: row.dose_number,
      administeredAt: row.administered_at,
      doseVoided: row.dose_voided,
      stopped: row.stopped,
    };
  };
}
