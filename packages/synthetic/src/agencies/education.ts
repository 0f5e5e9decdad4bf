import type { Random } from '../random.js';
import type { EducationFacts } from '../types.js';
import { schoolsIn, type LocalAuthority } from '../world.js';

const DSL_CATEGORIES = ['NEGLECT', 'EMOTIONAL_WELLBEING', 'PHYSICAL_MARKS', 'DISCLOSURE', 'ONLINE_SAFETY'];
const SUSPENSION_REASONS = [
  'Persistent disruptive behaviour',
  'Verbal abuse of an adult',
  'Physical assault of a pupil',
];
const SEN_DETAIL = [
  'Autism spectrum condition; speech and language support.',
  'Specific learning difficulty (dyslexia).',
  'Social, emotional and mental health needs.',
];

/** Education's record: children of school age on roll (or home-educated / missing education). */
export function educationFor(
  rnd: Random,
  id: string,
  la: LocalAuthority,
  age: number,
  asOf: string,
  riskBoost: number,
): EducationFacts | null {
  if (age < 4 || age > 16) return null;
  const ehe = rnd.chance(0.01);
  const cme = !ehe && rnd.chance(0.002 * riskBoost);
  const school = ehe || cme ? null : rnd.pick(schoolsIn(la, age >= 11 ? 'SECONDARY' : 'PRIMARY'));
  const rate = school
    ? Math.min(1, Math.max(0.4, 0.955 - rnd.next() * 0.12 * riskBoost - (rnd.chance(0.05) ? 0.2 : 0)))
    : null;
  const sen = rnd.weighted([
    ['NONE', 83],
    ['SEN_SUPPORT', 13],
    ['EHCP', 4],
  ] as const);
  const facts: EducationFacts = {
    schoolUrn: school?.urn ?? null,
    attendanceRate: rate === null ? null : Math.round(rate * 1000) / 1000,
    sessionsPossible: school ? 260 : 0,
    suspensions: [],
    exclusions: [],
    sen,
    senDetail: sen === 'NONE' ? null : rnd.pick(SEN_DETAIL),
    dslConcerns: [],
    electiveHomeEducation: ehe,
    childMissingEducation: cme,
    pastoralNotes:
      school && rnd.chance(0.01)
        ? 'Counselling sessions with the school counsellor; content held by the school.'
        : null,
  };
  if (school && age >= 7 && rnd.chance(0.03 * riskBoost)) {
    for (let s = rnd.int(1, 3); s > 0; s--)
      facts.suspensions.push({
        id: `${id}-SUS${s}`,
        date: rnd.daysAgo(asOf, 300),
        days: rnd.int(1, 5),
        reason: rnd.pick(SUSPENSION_REASONS),
      });
  }
  if (school && age >= 9 && rnd.chance(0.003 * riskBoost))
    facts.exclusions.push({ id: `${id}-EXC`, date: rnd.daysAgo(asOf, 300), reason: rnd.pick(SUSPENSION_REASONS) });
  if (school && rnd.chance(0.05 * riskBoost)) {
    for (let c = rnd.int(1, 3); c > 0; c--)
      facts.dslConcerns.push({
        id: `${id}-DSL${c}`,
        date: rnd.daysAgo(asOf, 200),
        category: rnd.pick(DSL_CATEGORIES),
        summary: 'Concern logged by class teacher and reviewed by the DSL.',
      });
  }
  return facts;
}
