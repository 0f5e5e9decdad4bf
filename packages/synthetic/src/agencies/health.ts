import type { Random } from '../random.js';
import type { HealthFacts } from '../types.js';
import { practicesIn, type LocalAuthority } from '../world.js';

const HOSPITALS = [
  'Royal Infirmary (synthetic)',
  'General Hospital (synthetic)',
  'Urgent Treatment Centre (synthetic)',
];
// Injury codes in the style of the Emergency Care Data Set's injury groups.
const INJURIES: readonly (readonly [string, string, number])[] = [
  ['LACERATION', 'Cut to the hand', 30],
  ['FRACTURE', 'Fracture of the forearm', 15],
  ['HEAD_INJURY', 'Minor head injury', 15],
  ['BURN', 'Scald to the arm', 6],
  ['BRUISING', 'Unexplained bruising', 6],
  ['POISONING', 'Accidental ingestion', 5],
  ['SELF_HARM', 'Self-harm', 4],
];
const CLINICS = [
  'Paediatric outpatients',
  'Dental',
  'Audiology',
  'Community paediatrics',
  'Speech and language therapy',
];
const VACCINES = ['6-in-1', 'MMR 1', 'MMR 2', 'Pre-school booster', 'HPV', 'Td/IPV', 'MenACWY'];
const CAMHS_CONCERNS = ['Anxiety', 'Low mood', 'Eating difficulties', 'Self-harm', 'Trauma'];
const PROFESSIONALS = ['Nurse Hollins', 'Nurse Abiodun', 'Nurse Kerrigan', 'Nurse Patel-Shaw', 'Nurse Lindqvist'];

/** Health's record: every child is registered with a GP; A&E, missed appointments and CAMHS for some. */
export function healthFor(
  rnd: Random,
  id: string,
  la: LocalAuthority,
  age: number,
  asOf: string,
  riskBoost: number,
): HealthFacts {
  const ae = rnd.chance(0.25 * riskBoost) ? rnd.int(1, riskBoost > 1 ? 5 : 2) : 0;
  const facts: HealthFacts = {
    gpPractice: rnd.pick(practicesIn(la)).odsCode,
    professional: { kind: age < 5 ? 'HEALTH_VISITOR' : 'SCHOOL_NURSE', name: rnd.pick(PROFESSIONALS) },
    aeAttendances: [],
    wasNotBrought: [],
    immunisations: [],
    camhs: [],
    sexualHealth: [],
  };
  for (let a = 0; a < ae; a++) {
    const [code, description] = rnd.weighted(INJURIES.map(([c, d, w]) => [[c, d], w] as const));
    facts.aeAttendances.push({
      id: `${id}-AE${a}`,
      date: rnd.daysAgo(asOf, 700),
      hospital: rnd.pick(HOSPITALS),
      injuryCode: code,
      description,
    });
  }
  if (rnd.chance(0.1 * riskBoost)) {
    for (let w = rnd.int(1, 3); w > 0; w--)
      facts.wasNotBrought.push({ id: `${id}-WNB${w}`, date: rnd.daysAgo(asOf, 365), clinic: rnd.pick(CLINICS) });
  }
  const due = Math.min(VACCINES.length, 1 + Math.floor(age / 2.5));
  for (let v = 0; v < due; v++) {
    const status = rnd.chance(0.92 / riskBoost) ? 'GIVEN' : rnd.chance(0.7) ? 'DUE' : 'DECLINED';
    facts.immunisations.push({
      vaccine: VACCINES[v] as string,
      status,
      date: status === 'GIVEN' ? rnd.daysAgo(asOf, Math.max(30, age * 365)) : null,
    });
  }
  if (age >= 5 && rnd.chance(0.04 * riskBoost)) {
    facts.camhs.push({
      id: `${id}-CAMHS`,
      referredOn: rnd.daysAgo(asOf, 500),
      status: rnd.chance(0.6) ? 'ACTIVE' : 'DISCHARGED',
      concern: rnd.pick(CAMHS_CONCERNS),
    });
  }
  if (age >= 13 && rnd.chance(0.06)) {
    const confidential = rnd.chance(0.4);
    facts.sexualHealth.push({
      id: `${id}-SH`,
      date: rnd.daysAgo(asOf, 300),
      service: 'Integrated sexual health service (synthetic)',
      note: confidential
        ? 'Young person assessed as Fraser competent and asked that details are not shared.'
        : 'Contraception advice given.',
      confidential,
    });
  }
  return facts;
}
