/** Doses for the follow-up tests, recorded through recordDose (so check-ins and pushes are planned as in production). */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.js';
import { recordDose } from '../../src/domain/vaccination/record-dose.js';
import type { FollowUpProfile } from '../../src/domain/follow-up/follow-up-schedule.js';
import { configureFollowUpProfile } from '../../src/domain/follow-up/follow-up-schedule.js';

const DAY_MS = 86_400_000;

export async function recordDoseFor(
  db: PrismaClient,
  options: { personId: string; doseNumber?: number; administeredAt: Date; now: Date; productCode?: string; hospitalCode?: string; profile?: FollowUpProfile },
) {
  if (options.profile) configureFollowUpProfile(options.profile);
  const result = await db.$transaction((tx) =>
    recordDose({
      db: tx,
      now: options.now,
      report: {
        personId: options.personId,
        doseNumber: options.doseNumber ?? 1,
        productCode: options.productCode ?? 'AZ',
        lotNumber: 'A1234',
        administeredAt: options.administeredAt,
        hospitalCode: options.hospitalCode ?? '10001',
        source: 'his:10001',
        sourceRecordId: randomBytes(6).toString('hex'),
        recordedBy: 'nurse-7',
      },
    }),
  );
  if (options.profile) configureFollowUpProfile('morprom');
  if (!result.ok) throw new Error(`recordDose refused: ${result.refusal}`);
  return result.vaccination;
}

export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);
