import { describe, expect, it } from 'vitest';
import { RULES } from '../generated/rules.js';
import { findSchema } from './FindChild.js';

const problems = (values: { nhs: string; purpose: string; justification: string }, purposes: readonly string[]) =>
  findSchema(purposes)
    .safeParse(values)
    .error?.issues.map((i) => [i.path[0], i.message]) ?? [];

describe('the find form', () => {
  it('names every problem at once', () => {
    expect(problems({ nhs: '123', purpose: '', justification: '' }, RULES.childRecordPurposes.LCPP)).toEqual([
      ['nhs', expect.stringMatching(/^Enter a valid NHS number: /)],
      ['purpose', 'Select the purpose of use your work supports'],
    ]);
  });

  it('asks break-glass for a justification of the length the policies set', () => {
    const short = { nhs: '999 000 0018', purpose: RULES.breakGlassPurpose, justification: 'urgent' };
    expect(problems(short, RULES.childRecordPurposes.LCPP)).toEqual([
      [
        'justification',
        `Say why, in at least ${RULES.minJustification} characters: break-glass is reviewed by information governance`,
      ],
    ]);
    expect(
      problems({ ...short, justification: 'x'.repeat(RULES.minJustification) }, RULES.childRecordPurposes.LCPP),
    ).toEqual([]);
  });

  it('offers a role only the purposes the policies let it state', () => {
    expect(RULES.childRecordPurposes.SCHOOL_DSL).not.toContain(RULES.breakGlassPurpose);
    expect(RULES.childRecordPurposes.IG_LEAD).toEqual([]);
    expect(
      problems(
        { nhs: '9990000018', purpose: RULES.breakGlassPurpose, justification: 'x'.repeat(30) },
        RULES.childRecordPurposes.SCHOOL_DSL,
      ),
    ).toEqual([['purpose', 'Select the purpose of use your work supports']]);
  });
});
