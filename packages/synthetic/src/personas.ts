import type { Household } from './types.js';
import {
  dslFor,
  FAMILY_HELP_TEAMS,
  IG_LEADS,
  LOCAL_AUTHORITIES,
  MACPT_TEAMS,
  PARTNERSHIP_BOARDS,
  SCHOOLS,
  type Worker,
} from './world.js';

/** A demo persona: a worker plus, for convenience, the children they have a relationship with. */
export interface Persona extends Worker {
  sub: string;
  /** NHS numbers of children on whose open cases this persona is a named worker (first few). */
  namedOn?: string[];
  /** For a DSL: a few pupils on roll, those with open cases first. */
  pupils?: string[];
  /** For a Family Help lead practitioner: a few children of the families they lead under an active plan. */
  families?: string[];
}

const SAMPLE = 5;

/** Collects, while a world streams by, what the persona list needs; memory is bounded by the sample size. */
export class PersonaCollector {
  private readonly namedOn = new Map<string, string[]>();
  private readonly pupilsOnCases = new Map<string, string[]>();
  private readonly pupils = new Map<string, string[]>();
  private readonly families = new Map<string, string[]>();

  add(household: Household): void {
    for (const child of household.children) {
      const sc = child.socialCare;
      const urn = child.education?.schoolUrn;
      if (sc?.caseId) {
        for (const worker of sc.namedWorkers) push(this.namedOn, worker, child.nhsNumber);
        if (urn) push(this.pupilsOnCases, urn, child.nhsNumber);
      }
      if (urn) push(this.pupils, urn, child.nhsNumber);
      const fh = child.familyHelp;
      if (fh?.plan.status === 'ACTIVE') push(this.families, fh.leadPractitioner.userId, child.nhsNumber);
    }
  }

  /**
   * Every MACPT member of each LA, the DSLs of the two schools per LA with most pupils on cases, each LA's
   * Family Help lead practitioners, the IG leads and the partnership boards.
   */
  personas(): Persona[] {
    const out: Persona[] = [];
    for (const la of LOCAL_AUTHORITIES) {
      for (const worker of MACPT_TEAMS[la])
        out.push({ ...worker, sub: worker.id, namedOn: this.namedOn.get(worker.id) ?? [] });
      const schools = SCHOOLS.filter((s) => s.la === la)
        .map((s) => ({ s, onCases: this.pupilsOnCases.get(s.urn)?.length ?? 0 }))
        .sort((a, b) => b.onCases - a.onCases || a.s.urn.localeCompare(b.s.urn))
        .slice(0, 2);
      for (const { s } of schools) {
        const pupils = [
          ...new Set([...(this.pupilsOnCases.get(s.urn) ?? []), ...(this.pupils.get(s.urn) ?? [])]),
        ].slice(0, SAMPLE);
        out.push({ ...dslFor(s), sub: `dsl-${s.urn}`, pupils });
      }
      for (const lead of FAMILY_HELP_TEAMS[la])
        out.push({ ...lead, sub: lead.id, families: this.families.get(lead.id) ?? [] });
    }
    for (const ig of IG_LEADS) out.push({ ...ig, sub: ig.id });
    for (const board of PARTNERSHIP_BOARDS) out.push({ ...board, sub: board.id });
    return out;
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list.length < SAMPLE) list.push(value);
}
