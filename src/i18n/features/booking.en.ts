/** English messages of the booking feature: every key of bookingTh (checked by the type). */
import type { bookingTh } from './booking.th.js';

export const bookingEn: Record<keyof typeof bookingTh, string> = {
};
