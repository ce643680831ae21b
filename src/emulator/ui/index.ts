/** The emulator's browser chat UI; see router.ts for its routes. */
export { createEmulatorUiRouter, type EmulatorUiOptions } from './router.js';
export { ChatLog, type ChatEntry, type ChatEntryContent, type ChatUser, type SentByUser } from './chat-log.js';
