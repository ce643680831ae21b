/** English messages of the slots feature: every key of slotsTh (checked by the type). */
import type { slotsTh } from './slots.th.js';

export const slotsEn: Record<keyof typeof slotsTh, string> = {
  'slots.rebooking.title': 'Please choose a new vaccination slot',
  'slots.rebooking.closed': 'Sorry, the vaccination slot at {hospital} on {date} at {time} has been closed.',
  'slots.rebooking.reduced': 'Sorry, the vaccination slot at {hospital} on {date} at {time} has been reduced.',
  'slots.rebooking.kept': '{name} keeps the place for dose {dose} (booking {code}). Please choose a new slot.',
  'slots.rebooking.pick': 'Nearby places with free slots ({product}):',
  'slots.rebooking.none': 'No nearby slots are free in the next 14 days. Tap "Choose a new slot" to look elsewhere.',
  'slots.rebooking.choose': 'Choose a new slot',
  'slots.rebooking.cancel': 'Cancel this appointment',
  'slots.rebooking.bookHere': 'Book here',
  'slots.rebooking.time': '{start}–{end}',
};
