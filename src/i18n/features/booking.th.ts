/** Thai messages of the booking feature (keys prefixed 'booking.'). Merged into ../th.ts. */
export const bookingTh = {
} as const;
