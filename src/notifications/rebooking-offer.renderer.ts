/**
 * Renders a 'rebooking-offer' at send time: the slot was closed or reduced, here are the
 * nearest hospitals with free places for the same product over the next two weeks. Returns
 * null (skip) when the appointment was rebooked, cancelled or otherwise changed since the
 * offer was planned: the person must not be told to rebook what they already rebooked.
 */
import type { NotificationRenderer } from './renderer.js';
import { getAppointmentView } from '../domain/booking/appointment-view.js';
import { findHospitalsWithFreeSlots } from '../domain/booking/find-free-slots.js';
import { addDays } from '../domain/vaccination/interval-rules.js';
import { bangkokToday } from '../shared/clock.js';
import { rebookingOffer } from '../../flex-templates/rebooking-offer.js';

const ALTERNATIVES = 5;
const SEARCH_DAYS = 14;

export const renderRebookingOffer: NotificationRenderer = async (notification, ctx) => {
  if (!notification.appointmentId) return null;
  const view = await getAppointmentView(ctx.db, { id: notification.appointmentId });
  if (!view || view.status !== 'NEEDS_REBOOKING' || view.version !== notification.appointmentVersion) return null;

  const today = bangkokToday(ctx.now);
  const alternatives = await findHospitalsWithFreeSlots({
    db: ctx.db,
    fromDate: addDays(today, 1),
    toDate: addDays(today, SEARCH_DAYS),
    productCodes: [view.productCode],
    near: { latitude: view.hospitalLatitude, longitude: view.hospitalLongitude },
    limit: ALTERNATIVES,
  });
  const data = notification.data as { change?: unknown } | null;
  return [
    rebookingOffer(
      {
        appointmentCode: view.code,
        change: data?.change === 'reduced' ? 'reduced' : 'closed',
        personName: `${view.personFirstName} ${view.personLastName}`,
        doseNumber: view.doseNumber,
        hospitalNameTh: view.hospitalNameTh,
        hospitalNameEn: view.hospitalNameEn,
        date: view.date,
        startTime: view.startTime,
        endTime: view.endTime,
        productNameTh: view.productNameTh,
        productNameEn: view.productNameEn,
        alternatives,
      },
      ctx.locale,
    ),
  ];
};
