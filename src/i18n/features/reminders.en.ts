/** English messages of the reminders feature: every key of remindersTh (checked by the type). */
import type { remindersTh } from './reminders.th.js';

export const remindersEn: Record<keyof typeof remindersTh, string> = {
};
