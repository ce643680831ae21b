import { describe, expect, it } from 'vitest';
import { decodePostback, encodePostback, POSTBACK_MAX_LENGTH } from '../../src/bot/postback.js';

describe('postback codec', () => {
  it('round-trips every payload kind', () => {
    for (const payload of [{ a: 'menu', f: 'book' }, { a: 'ans', s: 'summary', v: 'edit:phone' }, { a: 'lang', l: 'en' }, { a: 'cancel' }] as const) {
      expect(decodePostback(encodePostback(payload))).toEqual(payload);
    }
  });

  it('rejects free text, unknown actions, unknown features and oversize data', () => {
    expect(decodePostback('register')).toBeNull();
    expect(decodePostback('{"a":"pay"}')).toBeNull();
    expect(decodePostback('{"a":"menu","f":"admin"}')).toBeNull();
    expect(decodePostback(`{"a":"ans","s":"x","v":"${'x'.repeat(POSTBACK_MAX_LENGTH)}"}`)).toBeNull();
  });

  it('refuses to encode a value longer than the schema allows', () => {
    expect(() => encodePostback({ a: 'ans', s: 'x', v: 'y'.repeat(201) })).toThrow();
  });
});
