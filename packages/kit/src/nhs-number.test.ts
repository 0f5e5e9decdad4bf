import { describe, expect, it } from 'vitest';
import { isNhsNumber, nhsCheckDigit, nhsNumberProblem } from './nhs-number.js';

describe('NHS number validation', () => {
  it.each([
    ['9434765919', true], // the NHS Digital published example
    ['9990000018', true],
    ['9434765918', false],
    ['943476591', false],
    ['94347659190', false],
    ['943 476 5919', false],
    ['abcdefghij', false],
  ])('%s valid=%s', (value, valid) => {
    expect(isNhsNumber(value)).toBe(valid);
  });

  it('says why a check digit fails', () => {
    expect(nhsNumberProblem('9434765918')).toBe('9434765918 fails the modulus-11 check: the last digit should be 9');
  });

  it('refuses prefixes whose check digit would be 10', () => {
    const prefix = Array.from({ length: 100 }, (_, i) => `9990000${String(i).padStart(2, '0')}`).find(
      (p) => nhsCheckDigit(p) === null,
    );
    expect(prefix).toBeDefined();
    expect(nhsNumberProblem(`${prefix}0`)).toMatch(/no valid modulus-11 check digit/);
  });
});
