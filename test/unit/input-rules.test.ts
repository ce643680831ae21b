import { describe, expect, it } from 'vitest';
import { parseBirthDate, parsePersonName, parseThaiMobile, formatThaiMobile, ageOn } from '../../src/domain/registration/input-rules.js';

const today = '2026-11-25';

describe('parseBirthDate', () => {
  it.each([
    ['12/04/2498', '1955-04-12'],
    ['12/04/1955', '1955-04-12'],
    ['12-4-2498', '1955-04-12'],
    ['1955-04-12', '1955-04-12'],
    ['29/02/2543', '2000-02-29'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseBirthDate(input, today)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['31/02/2500', 'register.badBirthDate'],
    ['12 April', 'register.badBirthDate'],
    ['26/11/2026', 'register.birthDateInFuture'],
    ['01/01/1890', 'register.birthDateImplausible'],
  ])('refuses %s with %s', (input, reason) => {
    expect(parseBirthDate(input, today)).toEqual({ ok: false, reason });
  });
});

describe('parseThaiMobile', () => {
  it.each(['0812345678', '081-234-5678', '+66812345678', '66 81 234 5678'])('accepts %s', (input) => {
    expect(parseThaiMobile(input)).toEqual({ ok: true, value: '+66812345678' });
  });
  it.each(['021234567', '08123456', '0712345678', 'abc'])('refuses %s', (input) => {
    expect(parseThaiMobile(input).ok).toBe(false);
  });
  it('formats for display', () => expect(formatThaiMobile('+66812345678')).toBe('081-234-5678'));
});

describe('parsePersonName', () => {
  it.each(['สมชาย', 'พิมพ์ชนก', "O'Brien", 'Mary-Jane', 'Aung  San'])('accepts %s', (name) => {
    expect(parsePersonName(name).ok).toBe(true);
  });
  it.each(['', 'R2D2', '<script>', 'x'.repeat(101)])('refuses %j', (name) => {
    expect(parsePersonName(name)).toEqual({ ok: false, reason: 'register.badName' });
  });
});

it('ageOn counts whole years', () => {
  expect(ageOn('1966-11-26', today)).toBe(59);
  expect(ageOn('1966-11-25', today)).toBe(60);
});
