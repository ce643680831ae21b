/**
 * The confirmation card of a recorded dose, rendered when pushed: the dose as it is now (a
 * correction in between shows), and what comes next from the interval rules. Null when the
 * dose was voided or the person is no longer the user's.
 */
import type { NotificationRenderer } from './renderer.js';
import { loadDosePlan } from '../domain/booking/dose-rules.js';
import { bangkokToday } from '../shared/clock.js';
import { doseRecordedCard, type DoseRecordedNext } from '../../flex-templates/dose-recorded-card.js';

export const renderDoseRecorded: NotificationRenderer = async (notification, ctx) => {
  const vaccinationId = (notification.data as { vaccinationId?: unknown } | null)?.vaccinationId;
  if (typeof vaccinationId !== 'string') return null;
  const dose = await ctx.db.vaccination.findFirst({
    where: { id: vaccinationId, status: 'RECORDED', person: { ownerId: notification.lineUserId } },
    include: { person: { select: { firstName: true, lastName: true } }, product: true, hospital: { select: { nameTh: true, nameEn: true } } },
  });
  if (!dose) return null;
  const plan = await loadDosePlan({ db: ctx.db, personId: dose.personId, onDate: bangkokToday(dose.administeredAt) });
  let next: DoseRecordedNext = { status: 'unknown' };
  if (plan.status === 'series-complete') next = { status: 'complete' };
  else if (plan.status === 'already-booked') next = { status: 'booked', doseNumber: plan.doseNumber };
  else if (plan.status === 'follow-up' && plan.allowed.length > 0) {
    next = {
      status: 'window',
      doseNumber: plan.doseNumber,
      earliest: plan.allowed.map((a) => a.earliest).sort()[0]!,
      latest: plan.allowed.map((a) => a.latest).sort().at(-1)!,
      personId: dose.personId,
    };
  }
  const en = ctx.locale === 'en';
  return [
    doseRecordedCard(
      {
        personName: `${dose.person.firstName} ${dose.person.lastName}`,
        doseNumber: dose.doseNumber,
        productName: en ? dose.product.nameEn : dose.product.nameTh,
        lotNumber: dose.lotNumber,
        hospitalName: en ? dose.hospital.nameEn : dose.hospital.nameTh,
        date: bangkokToday(dose.administeredAt),
        next,
      },
      ctx.locale,
    ),
  ];
};
