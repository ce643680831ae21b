/** Thai messages of the screening feature (keys prefixed 'screening.'). Merged into ../th.ts. */
export const screeningTh = {
} as const;
