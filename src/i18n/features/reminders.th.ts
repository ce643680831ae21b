/** Thai messages of the reminders feature (keys prefixed 'reminders.'). Merged into ../th.ts. */
export const remindersTh = {
} as const;
