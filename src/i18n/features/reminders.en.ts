/** English messages of the reminders feature: every key of remindersTh (checked by the type). */
import type { remindersTh } from './reminders.th.js';

export const remindersEn: Record<keyof typeof remindersTh, string> = {
  'reminders.whoSelf': 'you have',
  'reminders.whoOther': '{name} has',
  'reminders.tomorrow': '🔔 Reminder: tomorrow, {date}, {who} a COVID-19 vaccination appointment (dose {dose}) at {start}–{end} at {hospital}.\nPlease bring your ID card. If you cannot go, reschedule or cancel from the card below.',
  'reminders.today': '🔔 Reminder: today, {date}, {who} a COVID-19 vaccination appointment (dose {dose}) at {start}–{end} at {hospital}.\nPlease bring your ID card.',
  'reminders.onDate': '🔔 Reminder: on {date} {who} a COVID-19 vaccination appointment (dose {dose}) at {start}–{end} at {hospital}.',
};
