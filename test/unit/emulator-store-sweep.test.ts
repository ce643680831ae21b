// The store forgets expired retry keys and reply tokens as it goes, at a cost proportional
// to what it removes (bench:emulator keeps tens of thousands of live keys).
import { describe, expect, it } from 'vitest';
import { LinePlatformStore } from '../../src/emulator/index.js';

const DAY = 24 * 60 * 60 * 1000;
const key = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
/** Private sizes, read only to check that expired entries really go. */
const sizes = (store: LinePlatformStore) => {
  const internals = store as unknown as { retryKeys: Map<string, unknown>; replyTokens: Map<string, unknown> };
  return { retryKeys: internals.retryKeys.size, replyTokens: internals.replyTokens.size };
};

describe('LinePlatformStore sweep', () => {
  it('drops retry keys older than 24 h and reply tokens past 20 minutes, keeping the live ones', () => {
    const clock = { now: 0 };
    const store = new LinePlatformStore({ now: () => clock.now });
    for (let n = 0; n < 600; n++) store.acceptRetryKey(key(n), { requestId: `old-${n}` });
    for (let n = 0; n < 300; n++) store.issueReplyToken(`U${'0'.repeat(32)}`);

    clock.now = DAY;
    // Re-accepting an expired key makes it live again (and moves it behind the others).
    expect(store.acceptedRetryKey(key(0))).toBeUndefined();
    store.acceptRetryKey(key(0), { requestId: 'again' });
    for (let n = 1000; n < 1200; n++) store.acceptRetryKey(key(n), { requestId: `new-${n}` }); // the 1,000th insertion sweeps

    expect(sizes(store)).toEqual({ retryKeys: 201, replyTokens: 0 });
    expect(store.acceptedRetryKey(key(0))?.requestId).toBe('again');
    expect(store.acceptedRetryKey(key(1))).toBeUndefined();
    expect(store.acceptedRetryKey(key(1100))?.requestId).toBe('new-1100');
  });
});

describe('LinePlatformStore without kept messages (load runs)', () => {
  it('tells delivery listeners about every delivery but keeps neither messages nor request bodies', () => {
    const store = new LinePlatformStore({ keepMessages: false });
    const seen: string[] = [];
    store.onDelivery((chatId, delivery) => seen.push(`${chatId}:${delivery.retryKey}`));
    const user = `U${'1'.repeat(32)}`;
    store.deliver([user], { via: 'push', messages: [{ type: 'text', text: 'hello' }], requestId: 'r1', retryKey: key(1) });
    store.recordCall({ at: 0, method: 'POST', path: '/v2/bot/message/push', status: 200, requestId: 'r1', retryKey: key(1), body: { to: user } });

    expect(seen).toEqual([`${user}:${key(1)}`]);
    expect(store.messagesFor(user)).toHaveLength(0);
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]).toMatchObject({ status: 200, retryKey: key(1), body: undefined });

    const keeping = new LinePlatformStore();
    keeping.deliver([user], { via: 'push', messages: [{ type: 'text', text: 'hello' }], requestId: 'r2' });
    expect(keeping.messagesFor(user)).toHaveLength(1);
  });
});
