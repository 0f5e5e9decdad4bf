import type { Random } from '../random.js';
import type { CaseStage, CpCategory, SocialCareFacts } from '../types.js';
import { MACPT_TEAMS, type LocalAuthority } from '../world.js';

const STAGES: readonly (readonly [CaseStage, number])[] = [
  ['REFERRAL', 30],
  ['STRATEGY_DISCUSSION', 15],
  ['SECTION_47', 20],
  ['CONFERENCE', 10],
  ['CP_PLAN', 25],
];
const CATEGORIES: readonly CpCategory[] = [
  'NEGLECT',
  'NEGLECT',
  'EMOTIONAL_ABUSE',
  'EMOTIONAL_ABUSE',
  'PHYSICAL_ABUSE',
  'SEXUAL_ABUSE',
];
const SOURCES = ['POLICE', 'SCHOOL', 'HEALTH_VISITOR', 'GP', 'A_AND_E', 'NEIGHBOUR', 'ANONYMOUS'];
const NOTES = [
  'Home visit completed; child seen alone and spoke about school.',
  'Parent declined to engage with the plan; escalation discussed with the LCPP.',
  'Strategy discussion actions reviewed with police and health colleagues.',
  'Child reported feeling unsafe when an adult visitor stays overnight.',
  'School reports improved attendance since the last core group meeting.',
];

function pickOne(rnd: Random, team: readonly { id: string; role: string }[], role: string): string {
  return rnd.pick(team.filter((w) => w.role === role)).id;
}

/** Social care's record for a child: open case (a few hundred per 10,000), history, looked-after status. */
export function socialCareFor(
  rnd: Random,
  id: string,
  la: LocalAuthority,
  asOf: string,
  riskBoost: number,
): SocialCareFacts | null {
  const openCase = rnd.chance(0.03 * riskBoost);
  const pastReferral = !openCase && rnd.chance(0.04 * riskBoost);
  const lookedAfter = rnd.chance(0.007 * riskBoost);
  if (!openCase && !pastReferral && !lookedAfter) return null;

  const facts: SocialCareFacts = {
    caseId: null,
    stage: null,
    caseOpenedOn: null,
    namedWorkers: [],
    referrals: [],
    strategyDiscussions: [],
    section47: [],
    conferences: [],
    cpPlan: null,
    lookedAfter,
    placementAddress: null,
    adoptionDetails: null,
    caseNotes: [],
  };
  if (pastReferral) {
    facts.referrals.push({
      id: `${id}-R0`,
      date: rnd.daysAgo(asOf, 1400, 200),
      source: rnd.pick(SOURCES),
      status: 'CLOSED',
      outcome: 'NO_FURTHER_ACTION',
    });
  }
  if (lookedAfter) {
    facts.placementAddress = `Foster placement ${rnd.int(1, 400)}, ${la === 'RUTLAND' ? 'Oakhamley' : 'Charnwick'}`;
    if (rnd.chance(0.3)) facts.adoptionDetails = 'Adoptive placement: court order details held by the adoption team.';
  }
  if (!openCase) return facts;

  const stage = rnd.weighted(STAGES);
  const order: CaseStage[] = ['REFERRAL', 'STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN'];
  const reached = order.indexOf(stage);
  const opened = rnd.daysAgo(asOf, reached >= 4 ? 400 : 60, 3);
  facts.caseId = `CASE-${id}`;
  facts.stage = stage;
  facts.caseOpenedOn = opened;
  facts.referrals.push({
    id: `${id}-R1`,
    date: opened,
    source: rnd.pick(SOURCES),
    status: reached === 0 ? 'OPEN' : 'CLOSED',
    outcome: reached === 0 ? null : 'STRATEGY_DISCUSSION',
  });
  if (reached >= 1) {
    facts.strategyDiscussions.push({
      id: `${id}-SD1`,
      date: rnd.daysAgo(asOf, 40, 1),
      status: reached === 1 ? 'OPEN' : 'HELD',
      decision: reached === 1 ? null : 'SECTION_47_ENQUIRY',
    });
  }
  if (reached >= 2) {
    facts.section47.push({
      id: `${id}-S47`,
      startedOn: rnd.daysAgo(asOf, 30, 1),
      status: reached === 2 ? 'OPEN' : 'COMPLETED',
      outcome: reached === 2 ? null : 'CONCERNS_SUBSTANTIATED',
    });
  }
  if (reached >= 3) {
    facts.conferences.push({
      id: `${id}-ICPC`,
      kind: 'INITIAL',
      date: rnd.daysAgo(asOf, 15, 0),
      outcome: reached === 3 ? null : 'CP_PLAN',
    });
  }
  if (reached >= 4) {
    const start = rnd.daysAgo(asOf, 360, 20);
    facts.cpPlan = { category: rnd.pick(CATEGORIES), startDate: start };
    facts.conferences.push({ id: `${id}-RCPC`, kind: 'REVIEW', date: rnd.daysAgo(asOf, 20, 0), outcome: null });
  }
  const team = MACPT_TEAMS[la];
  facts.namedWorkers = [
    ...(reached >= 1 ? [pickOne(rnd, team, 'LCPP')] : []),
    pickOne(rnd, team, 'SOCIAL_WORKER'),
    pickOne(rnd, team, 'MACPT_POLICE'),
    pickOne(rnd, team, 'MACPT_HEALTH'),
    pickOne(rnd, team, 'MACPT_EDUCATION'),
  ];
  const notes = rnd.int(1, 4);
  for (let n = 0; n < notes; n++) {
    facts.caseNotes.push({
      id: `${id}-N${n}`,
      date: rnd.daysAgo(asOf, 60),
      author: facts.namedWorkers[1] as string,
      text: rnd.pick(NOTES),
    });
  }
  return facts;
}
