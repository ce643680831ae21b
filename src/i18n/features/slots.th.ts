/** Thai messages of the slots feature (keys prefixed 'slots.'). Merged into ../th.ts. */
export const slotsTh = {
} as const;
