import { Random, shiftDays } from './random.js';
import type { Child, Household } from './types.js';

/** How far back the long history reaches, and how many events of each kind it holds over that time. */
const YEARS = 10;
const EVENTS = {
  referrals: 12,
  strategyDiscussions: 6,
  section47: 4,
  conferences: 8,
  aeAttendances: 25,
  wasNotBrought: 20,
  camhs: 3,
  incidents: 30,
  missingEpisodes: 10,
  suspensions: 10,
  dslConcerns: 25,
} as const;

/** The age a child needs for a history of {@link YEARS} years that starts after birth. */
export const LONG_HISTORY_MIN_AGE = YEARS + 1;

/**
 * Gives one child ten years of events in every agency that knows them (about 150 dated events): the long
 * case a chronology is measured on (`npm run bench`). The events are the child's own (no household records,
 * so siblings and Operation Encompass are unchanged), drawn from a generator seeded by the child, older
 * than what the child already has, so the recent picture every other test reads is as it was.
 */
export function addLongHistory(child: Child, household: Household, asOf: string): void {
  const rnd = new Random(Number(child.nhsNumber.slice(0, 9)), 0x10a6);
  const id = `${child.nhsNumber}-LH`;
  // Between ten years and a year and a half ago: older than anything the generator gives a child.
  const when = () => shiftDays(asOf, -rnd.int(550, YEARS * 365));
  const times = (n: number) => Array.from({ length: n }, (_, i) => i);
  const sc = child.socialCare;
  if (sc) {
    for (const i of times(EVENTS.referrals))
      sc.referrals.push({
        id: `${id}-R${i}`,
        date: when(),
        source: rnd.pick(['POLICE', 'SCHOOL', 'GP', 'A_AND_E']),
        status: 'CLOSED',
        outcome: rnd.pick(['NO_FURTHER_ACTION', 'EARLY_HELP', 'STRATEGY_DISCUSSION']),
      });
    for (const i of times(EVENTS.strategyDiscussions))
      sc.strategyDiscussions.push({
        id: `${id}-SD${i}`,
        date: when(),
        status: 'HELD',
        decision: rnd.pick(['SECTION_47_ENQUIRY', 'NO_FURTHER_ACTION']),
      });
    for (const i of times(EVENTS.section47))
      sc.section47.push({
        id: `${id}-S47${i}`,
        startedOn: when(),
        status: 'COMPLETED',
        outcome: rnd.pick(['CONCERNS_SUBSTANTIATED', 'CONCERNS_NOT_SUBSTANTIATED']),
      });
    for (const i of times(EVENTS.conferences))
      sc.conferences.push({
        id: `${id}-CP${i}`,
        kind: i % 2 === 0 ? 'INITIAL' : 'REVIEW',
        date: when(),
        outcome: rnd.pick(['CP_PLAN', 'NO_PLAN', 'PLAN_ENDED']),
      });
  }
  const health = child.health;
  for (const i of times(EVENTS.aeAttendances))
    health.aeAttendances.push({
      id: `${id}-AE${i}`,
      date: when(),
      hospital: 'Royal Infirmary (synthetic)',
      injuryCode: rnd.pick(['LACERATION', 'HEAD_INJURY', 'BRUISING']),
      description: rnd.pick(['Cut to the hand', 'Minor head injury', 'Unexplained bruising']),
    });
  for (const i of times(EVENTS.wasNotBrought))
    health.wasNotBrought.push({
      id: `${id}-WNB${i}`,
      date: when(),
      clinic: rnd.pick(['Dental', 'Audiology', 'Community paediatrics']),
    });
  for (const i of times(EVENTS.camhs))
    health.camhs.push({
      id: `${id}-CAMHS${i}`,
      referredOn: when(),
      status: 'DISCHARGED',
      concern: rnd.pick(['Anxiety', 'Low mood', 'Trauma']),
    });
  if (child.police) {
    for (const i of times(EVENTS.incidents))
      child.police.incidents.push({
        id: `${id}-INC${i}`,
        date: when(),
        kind: rnd.pick(['ASSAULT', 'THEFT', 'ONLINE_HARM']),
        involvement: rnd.pick(['VICTIM', 'WITNESS']),
        location: household.address,
        summary: 'Officers attended; child spoken to with an appropriate adult.',
      });
    for (const i of times(EVENTS.missingEpisodes))
      child.police.missingEpisodes.push({
        id: `${id}-MIS${i}`,
        reportedOn: when(),
        durationHours: rnd.int(2, 48),
        returnInterview: true,
      });
  }
  if (child.education) {
    for (const i of times(EVENTS.suspensions))
      child.education.suspensions.push({
        id: `${id}-SUS${i}`,
        date: when(),
        days: rnd.int(1, 5),
        reason: 'Persistent disruptive behaviour',
      });
    for (const i of times(EVENTS.dslConcerns))
      child.education.dslConcerns.push({
        id: `${id}-DSL${i}`,
        date: when(),
        category: rnd.pick(['NEGLECT', 'EMOTIONAL_WELLBEING', 'DISCLOSURE']),
        summary: 'Concern logged and shared with the MACPT.',
      });
  }
}

/** Whether a child is the world's long case (its events carry `-LH-` in their ids). */
export function hasLongHistory(child: Child): boolean {
  return child.health.aeAttendances.some((a) => a.id.includes('-LH-'));
}
