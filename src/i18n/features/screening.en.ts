/** English messages of the screening feature: every key of screeningTh (checked by the type). */
import type { screeningTh } from './screening.th.js';

export const screeningEn: Record<keyof typeof screeningTh, string> = {
};
