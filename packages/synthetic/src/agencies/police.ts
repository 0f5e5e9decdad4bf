import type { Random } from '../random.js';
import type { Household, PoliceFacts } from '../types.js';

const INCIDENT_KINDS = ['ASSAULT', 'THEFT', 'CRIMINAL_DAMAGE', 'ONLINE_HARM', 'ANTISOCIAL_BEHAVIOUR', 'SEXUAL_OFFENCE'];
const INTEL = [
  'Seen with older males linked to county lines activity.',
  'Associates report the child carrying cash and a second phone.',
  'Information from a partner agency about an adult visitor to the address.',
];

/** Police's record for a child, or null when police hold nothing (most children). */
export function policeFor(
  rnd: Random,
  id: string,
  age: number,
  household: Household,
  schoolUrn: string | null,
  asOf: string,
  riskBoost: number,
): PoliceFacts | null {
  const facts: PoliceFacts = {
    incidents: [],
    missingEpisodes: [],
    exploitation: null,
    policeProtection: [],
    intelligence: [],
    encompass: [],
  };
  if (rnd.chance(0.05 * riskBoost)) {
    for (let i = rnd.int(1, 3); i > 0; i--) {
      facts.incidents.push({
        id: `${id}-INC${i}`,
        date: rnd.daysAgo(asOf, 500),
        kind: rnd.pick(INCIDENT_KINDS),
        involvement: age >= 10 && rnd.chance(0.2) ? 'SUSPECT' : rnd.chance(0.6) ? 'VICTIM' : 'WITNESS',
        location: household.address,
        summary: 'Officers attended; child spoken to with an appropriate adult.',
      });
    }
  }
  if (age >= 10 && rnd.chance(0.012 * riskBoost)) {
    for (let m = rnd.int(1, 4); m > 0; m--)
      facts.missingEpisodes.push({
        id: `${id}-MIS${m}`,
        reportedOn: rnd.daysAgo(asOf, 365),
        durationHours: rnd.int(2, 72),
        returnInterview: rnd.chance(0.7),
      });
  }
  if (age >= 11 && rnd.chance(0.006 * riskBoost))
    facts.exploitation = { cse: rnd.chance(0.5), cce: rnd.chance(0.6), assessedOn: rnd.daysAgo(asOf, 200) };
  if (rnd.chance(0.001 * riskBoost))
    facts.policeProtection.push({
      id: `${id}-PP`,
      date: rnd.daysAgo(asOf, 300),
      reason: 'Child found alone at home overnight.',
    });
  // Intelligence concentrates on the highest-risk households.
  if (age >= 10 && rnd.chance(0.01 * riskBoost * riskBoost)) {
    for (let n = rnd.int(1, 3); n > 0; n--) {
      facts.intelligence.push({
        id: `${id}-INT${n}`,
        date: rnd.daysAgo(asOf, 400),
        handlingCode: rnd.weighted([
          ['P', 6],
          ['C', 3],
          ['H', 1],
        ] as const),
        summary: rnd.pick(INTEL),
      });
    }
  }
  if (schoolUrn) {
    for (const da of household.police.domesticAbuse) {
      facts.encompass.push({ id: `${id}-ENC-${da.id}`, incidentId: da.id, schoolUrn, sentAt: `${da.date}T07:45:00Z` });
    }
  }
  const empty =
    facts.incidents.length +
      facts.missingEpisodes.length +
      facts.policeProtection.length +
      facts.intelligence.length +
      facts.encompass.length ===
      0 && !facts.exploitation;
  return empty && household.police.domesticAbuse.length === 0 ? null : facts;
}
