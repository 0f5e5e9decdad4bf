import { describe, expect, it } from 'vitest';
import { dateOf, decisionSchema } from './SharingDecisions.js';

const blank = { fields: [], classes: [], reason: '', reasonText: '', d: '', m: '', y: '' };
const problems = (values: object) =>
  decisionSchema('2026-12-06')
    .safeParse({ ...blank, ...values })
    .error?.issues.map((i) => [i.path[0], i.message]) ?? [];

describe('the decision-not-to-share form', () => {
  it('names every problem at once, in the order of the page', () => {
    expect(problems({})).toEqual([
      ['covers', 'Select the information the decision covers'],
      ['reason', 'Select the reason for not sharing'],
      ['reviewBy', 'Enter a real review date, for example 27 3 2027'],
    ]);
  });

  it('asks why for OTHER, and a review date that is real and in the future', () => {
    const base = { fields: ['incidents'], reason: 'OTHER', d: '31', m: '2', y: '2027' };
    expect(problems(base)).toEqual([
      ['reasonText', 'Say why, in at least 20 characters'],
      ['reviewBy', 'Enter a real review date, for example 27 3 2027'],
    ]);
    expect(problems({ ...base, reasonText: 'x'.repeat(20), d: '6', m: '12', y: '2026' })).toEqual([
      ['reviewBy', 'The review date must be in the future'],
    ]);
    expect(problems({ ...base, reasonText: 'x'.repeat(20), d: '7', m: '12', y: '2026' })).toEqual([]);
    expect(problems({ classes: 'SENSITIVE', reason: 'MORE_DETRIMENTAL_TO_CHILD', d: '1', m: '1', y: '2027' })).toEqual(
      [],
    );
  });

  it('reads the GOV.UK date pattern', () => {
    expect(dateOf(' 7', '3 ', '2027')).toBe('2027-03-07');
    expect(dateOf('29', '2', '2027')).toBeNull();
    expect(dateOf('1', '1', '27')).toBeNull();
  });
});
