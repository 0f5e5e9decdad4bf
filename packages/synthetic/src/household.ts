import { educationFor } from './agencies/education.js';
import { addFamilyHelp } from './agencies/family-help.js';
import { decisionsFor } from './decisions.js';
import { healthFor } from './agencies/health.js';
import { policeFor } from './agencies/police.js';
import { socialCareFor } from './agencies/social-care.js';
import { FIRST_NAMES, STREETS, STREET_KINDS, SURNAMES, TOWNS } from './names.js';
import { Random, shiftDays } from './random.js';
import type { Adult, Child, Household } from './types.js';
import { ETHNICITY_WEIGHTS, LA_WEIGHTS, type Agency, type LocalAuthority } from './world.js';

/** A child's recorded ethnic group, from a generator of its own (seeded by the child): the rest of the world is unchanged. */
function ethnicityOf(nhsNumber: string, la: LocalAuthority): string | null {
  const rnd = new Random(Number(nhsNumber.slice(0, 9)), 0xe7);
  return rnd.chance(0.07) ? null : rnd.weighted(ETHNICITY_WEIGHTS[la]);
}

const OFFENCES = [
  'Assault occasioning actual bodily harm',
  'Possession with intent to supply',
  'Harassment',
  'Breach of a non-molestation order',
];
const CONCERNS = [
  'Substance misuse in pregnancy',
  'Previous child removed from care',
  'Domestic abuse disclosed at booking',
];

/**
 * Generates household `index` of the world for `seed`: its adults, children and what each agency
 * holds. Households are independent, so a world of any size streams in constant memory.
 */
export function generateHousehold(
  seed: number,
  index: number,
  asOf: string,
  nextNhsNumber: () => string,
  maxChildren: number,
): Household {
  const rnd = new Random(seed, index);
  const la = rnd.weighted(LA_WEIGHTS);
  const id = `HH${String(index).padStart(7, '0')}`;
  const surname = rnd.pick(SURNAMES);
  const town = rnd.pick(TOWNS[la]);
  const household: Household = {
    id,
    la,
    uprn: `9${String(seed % 1000).padStart(3, '0')}${String(index).padStart(8, '0')}`,
    address: `${rnd.int(1, 180)} ${rnd.pick(STREETS)} ${rnd.pick(STREET_KINDS)}, ${town}`,
    postcode: `${la === 'RUTLAND' ? 'LE15' : `LE${rnd.int(1, 19)}`} ${rnd.int(1, 9)}${String.fromCharCode(65 + rnd.int(0, 25))}${String.fromCharCode(65 + rnd.int(0, 25))}`,
    confidentialBy: null,
    adults: [],
    children: [],
    health: { maternityConcerns: [] },
    police: { domesticAbuse: [], adultOffending: [] },
  };
  // A minority of households carry most of the risk; their children appear in more agencies' records.
  const risk = rnd.chance(0.06) ? 4 : 1;
  const adultCount = rnd.chance(0.75) ? 2 : 1;
  for (let a = 0; a < adultCount; a++) {
    const adult: Adult = {
      id: `${id}-A${a}`,
      name: `${rnd.pick(FIRST_NAMES)} ${surname}`,
      dateOfBirth: rnd.daysAgo(asOf, 55 * 365, 20 * 365),
      relationship: a === 0 ? 'PARENT' : rnd.pick(['PARENT', 'STEP_PARENT', 'CARER', 'GRANDPARENT'] as const),
    };
    household.adults.push(adult);
    if (rnd.chance(0.03 * risk))
      household.police.adultOffending.push({
        id: `${adult.id}-OFF`,
        adultId: adult.id,
        offence: rnd.pick(OFFENCES),
        date: rnd.daysAgo(asOf, 1500),
        outcome: rnd.pick(['CHARGED', 'CAUTIONED', 'CONVICTED']),
      });
  }
  if (rnd.chance(0.04 * risk)) {
    for (let d = rnd.int(1, 3); d > 0; d--)
      household.police.domesticAbuse.push({
        id: `${id}-DA${d}`,
        date: rnd.daysAgo(asOf, 365),
        risk: rnd.weighted([
          ['STANDARD', 5],
          ['MEDIUM', 3],
          ['HIGH', 2],
        ] as const),
        location: household.address,
      });
  }
  if (rnd.chance(0.02 * risk))
    household.health.maternityConcerns.push({
      id: `${id}-MAT`,
      date: rnd.daysAgo(asOf, 500),
      concern: rnd.pick(CONCERNS),
    });

  const flagger: Agency | null =
    household.police.domesticAbuse.some((d) => d.risk === 'HIGH') && rnd.chance(0.3)
      ? 'police'
      : rnd.chance(0.005)
        ? 'health'
        : null;
  household.confidentialBy = flagger;

  const count = Math.min(
    maxChildren,
    rnd.weighted([
      [1, 40],
      [2, 38],
      [3, 16],
      [4, 6],
    ] as const),
  );
  for (let c = 0; c < count; c++) {
    const nhsNumber = nextNhsNumber();
    const age = rnd.int(0, 17);
    const dateOfBirth = shiftDays(asOf, -(age * 365 + rnd.int(0, 364)));
    const education = educationFor(rnd, nhsNumber, la, age, asOf, risk);
    const child: Child = {
      nhsNumber,
      name: `${rnd.pick(FIRST_NAMES)} ${surname}`,
      dateOfBirth,
      sex: rnd.chance(0.5) ? 'FEMALE' : 'MALE',
      householdId: id,
      socialCare: socialCareFor(rnd, nhsNumber, la, asOf, risk),
      health: healthFor(rnd, nhsNumber, la, age, asOf, risk),
      police: policeFor(rnd, nhsNumber, age, household, education?.schoolUrn ?? null, asOf, risk),
      education,
      familyHelp: null,
      sharingDecisions: [],
      ethnicity: ethnicityOf(nhsNumber, la),
    };
    child.sharingDecisions = decisionsFor(child, la, asOf);
    if (child.socialCare?.adoptionDetails && household.confidentialBy === null)
      household.confidentialBy = 'social-care';
    household.children.push(child);
  }
  addFamilyHelp(household, seed, index, asOf, risk > 1);
  return household;
}
