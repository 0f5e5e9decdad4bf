import { Random, shiftDays } from './random.js';
import type { Child } from './types.js';
import { MACPT_TEAMS, type LocalAuthority, type Worker } from './world.js';

/** A decision not to share that an agency already holds about a child (its own data, seeded into its store). */
export interface SyntheticDecision {
  id: string;
  agency: 'police' | 'health';
  fields: string[];
  classes: ('SAFEGUARDING' | 'SENSITIVE')[];
  reason: 'PREJUDICE_TO_CRIMINAL_INVESTIGATION' | 'MORE_DETRIMENTAL_TO_CHILD';
  decidedBy: { id: string; name: string; role: string };
  decidedAt: string;
  reviewBy: string;
}

/**
 * Decisions for a child on an open case, made by the agency's worker named on it: police withholding
 * intelligence and incidents while an investigation runs; health withholding SENSITIVE records (CAMHS).
 * Drawn from a generator of their own, seeded by the child, so the rest of the world is unchanged.
 * About one in six is past its review date.
 */
export function decisionsFor(child: Child, la: LocalAuthority, asOf: string): SyntheticDecision[] {
  const sc = child.socialCare;
  if (!sc?.caseId) return [];
  const rnd = new Random(Number(child.nhsNumber.slice(0, 9)), 0x5d);
  const named = (role: string): Worker | undefined =>
    MACPT_TEAMS[la].find((w) => w.role === role && sc.namedWorkers.includes(w.id));
  const out: SyntheticDecision[] = [];
  const dates = () => {
    const decidedAt = rnd.daysAgo(asOf, 90, 5);
    const reviewBy = rnd.chance(0.17) ? rnd.daysAgo(asOf, 20, 1) : shiftDays(asOf, rnd.int(14, 120));
    return { decidedAt: `${decidedAt}T10:00:00.000Z`, reviewBy };
  };
  const police = named('MACPT_POLICE');
  if (
    police &&
    child.police &&
    (child.police.intelligence.length > 0 || child.police.incidents.length > 0) &&
    rnd.chance(0.25)
  )
    out.push({
      id: `${child.nhsNumber}-NTS-P`,
      agency: 'police',
      fields: ['PoliceRecord.incidents', 'PoliceRecord.intelligence'],
      classes: [],
      reason: 'PREJUDICE_TO_CRIMINAL_INVESTIGATION',
      decidedBy: { id: police.id, name: police.name, role: police.role },
      ...dates(),
    });
  const health = named('MACPT_HEALTH');
  if (health && child.health.camhs.length > 0 && rnd.chance(0.3))
    out.push({
      id: `${child.nhsNumber}-NTS-H`,
      agency: 'health',
      fields: [],
      classes: ['SENSITIVE'],
      reason: 'MORE_DETRIMENTAL_TO_CHILD',
      decidedBy: { id: health.id, name: health.name, role: health.role },
      ...dates(),
    });
  return out;
}
