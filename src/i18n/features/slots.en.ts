/** English messages of the slots feature: every key of slotsTh (checked by the type). */
import type { slotsTh } from './slots.th.js';

export const slotsEn: Record<keyof typeof slotsTh, string> = {
};
