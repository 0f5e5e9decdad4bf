import { FIRST_NAMES, SURNAMES } from '../names.js';
import { Random, shiftDays } from '../random.js';
import type { FamilyHelpFacts, Household } from '../types.js';
import { FAMILY_HELP_TEAMS } from '../world.js';

const GOALS = [
  'Regular school attendance',
  'Stable routines at home',
  'Parenting support sessions attended',
  'Housing situation resolved',
  'Reduced conflict at home',
  'Health appointments kept',
];
const OUTCOMES = ['Family Help plan agreed', 'Universal services only', 'Step-up to children’s social care'];
const TEAM = [
  ['School nurse', 'health'],
  ['Pastoral lead', 'education'],
  ['Housing officer', 'housing'],
  ['Family support worker', 'family-help'],
] as const;

/** The Family Help team a lead practitioner of the LA belongs to. */
const teamOf = (la: string) => `Family Help ${la.charAt(0)}${la.slice(1).toLowerCase()}`;

/**
 * Family Help's part of a household, from a generator of its own (seeded by the household), so the rest of
 * the world is as it was: about one family in ten (more where risk is high), every child of the family
 * known; a family whose child is on a MACPT case was stepped up to social care before the case opened, and
 * one whose referral closed may have been stepped down to Family Help.
 */
export function addFamilyHelp(
  household: Household,
  seed: number,
  index: number,
  asOf: string,
  highRisk: boolean,
): void {
  const rnd = new Random(seed, index, 0xfa11);
  const onCase = household.children.find((c) => c.socialCare?.caseId);
  const closed = household.children.find((c) => c.socialCare && !c.socialCare.caseId);
  if (!rnd.chance(onCase ? 0.5 : closed ? 0.35 : highRisk ? 0.25 : 0.06)) {
    for (const c of household.children) c.familyHelp = null;
    return;
  }
  const lead = rnd.pick(FAMILY_HELP_TEAMS[household.la]);
  // Drawn and unused, so the rest of the family's story is as generator version 3 made it: a practitioner has one name.
  void `${rnd.pick(FIRST_NAMES)} ${rnd.pick(SURNAMES)}`;
  const start = rnd.daysAgo(asOf, 700, 60);
  const familyId = `FH-${household.id}`;
  const transitions: FamilyHelpFacts['transitions'] = [];
  if (onCase?.socialCare?.caseOpenedOn)
    transitions.push({
      id: `${familyId}-UP`,
      date: shiftDays(onCase.socialCare.caseOpenedOn, -rnd.int(1, 10)),
      direction: 'STEP_UP',
      reason: 'Concerns of significant harm: referred to children’s social care',
    });
  else if (closed)
    transitions.push({
      id: `${familyId}-DOWN`,
      date: shiftDays(start, -rnd.int(1, 20)),
      direction: 'STEP_DOWN',
      reason: 'Referral closed to social care; support continues with Family Help',
    });
  const facts: FamilyHelpFacts = {
    familyId,
    leadPractitioner: { userId: lead.id, name: lead.name, team: teamOf(household.la) },
    plan: {
      startDate: start,
      status: onCase ? 'CLOSED' : 'ACTIVE',
      goals: [rnd.pick(GOALS), rnd.pick(GOALS)].filter((g, i, all) => all.indexOf(g) === i),
      reviewDates: [shiftDays(start, 84), shiftDays(start, 168)].filter((d) => d <= shiftDays(asOf, 90)),
    },
    assessments: Array.from({ length: rnd.int(1, 2) }, (_, i) => ({
      id: `${familyId}-EHA${i}`,
      date: shiftDays(start, -rnd.int(5, 40) - i * 200),
      outcome: onCase && i === 0 ? OUTCOMES[2]! : rnd.pick(OUTCOMES.slice(0, 2)),
    })),
    transitions,
    teamAroundTheFamily: TEAM.slice(0, rnd.int(2, 4)).map(([role, agency]) => ({
      role,
      agency,
      name: `${rnd.pick(FIRST_NAMES)} ${rnd.pick(SURNAMES)}`,
    })),
  };
  for (const c of household.children) c.familyHelp = facts;
}
