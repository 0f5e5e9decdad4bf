/** The NHS test range (999 000 0000 – 999 999 9999): synthetic data only ever uses it. */
export const NHS_TEST_RANGE = { first: 9_990_000_000, last: 9_999_999_999 } as const;

/** Modulus-11 check digit for the first nine digits, or `null` when no valid digit exists (remainder 1). */
export function nhsCheckDigit(firstNine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return null;
  return check === 11 ? 0 : check;
}

/** Why a string is not an NHS number, or `null` when it is one. */
export function nhsNumberProblem(value: string): string | null {
  if (!/^\d{10}$/.test(value))
    return `an NHS number is exactly 10 digits with no spaces; got ${JSON.stringify(value.slice(0, 40))}`;
  const expected = nhsCheckDigit(value.slice(0, 9));
  if (expected === null)
    return `${value} cannot be an NHS number: its first nine digits have no valid modulus-11 check digit`;
  if (expected !== Number(value[9])) return `${value} fails the modulus-11 check: the last digit should be ${expected}`;
  return null;
}

/** True for a well-formed NHS number with a valid check digit. */
export function isNhsNumber(value: string): boolean {
  return nhsNumberProblem(value) === null;
}
