// The chat round reads each account's registration status with its conversation and hands it
// to the engine (src/bot/engine.ts), saving a query per event. It must be used only while no
// flow has run: a flow may register or erase people, and the help menu must then be read again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySession } from '../../src/bot/engine.js';
import { ensureLineUser } from '../../src/db/repositories/line-user.repository.js';
import { postbacksIn, startEngineHarness, type EngineHarness } from '../support/engine-harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('the registration status a round read', () => {
  async function handle(userId: string, text: string, registration?: { hasSelf: boolean; familyCount: number }) {
    return h.db.$transaction(async (tx) => {
      await ensureLineUser(tx, userId);
      return h.engine.handle({ db: tx, lineUserId: userId, locale: 'th', session: emptySession, event: h.events.text(userId, text), now: new Date(), ...(registration ? { registration } : {}) });
    });
  }
  const menuOf = (messages: unknown) => postbacksIn(messages).filter((p) => p.a === 'menu').map((p) => (p as { f: string }).f);

  it('answers the help menu from it, and hands it on when no flow ran', async () => {
    const chat = h.chat();
    // Nobody is registered on this account; the given status says otherwise, and is used.
    const told = await handle(chat.userId, 'help', { hasSelf: true, familyCount: 0 });
    expect(menuOf(told.messages)).toContain('book');
    expect(told.registration).toEqual({ hasSelf: true, familyCount: 0 });
    // Without it, the database is read: a guest's menu.
    const read = await handle(chat.userId, 'help');
    expect(menuOf(read.messages)).toContain('register');
    expect(menuOf(read.messages)).not.toContain('book');
    expect(read.registration).toBeUndefined();
  });

  it('drops it once a flow runs (the flow may register people)', async () => {
    const chat = h.chat();
    const started = await h.db.$transaction(async (tx) => {
      await ensureLineUser(tx, chat.userId);
      return h.engine.handle({
        db: tx, lineUserId: chat.userId, locale: 'th', session: emptySession,
        event: h.events.postback(chat.userId, JSON.stringify({ a: 'menu', f: 'register' })),
        now: new Date(), registration: { hasSelf: false, familyCount: 0 },
      });
    });
    expect(started.session.flowId).not.toBeNull();
    expect(started.registration).toBeUndefined();
  });
});
