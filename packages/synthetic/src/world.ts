import { TOWNS } from './names.js';

/** The three local authorities of the Leicester, Leicestershire and Rutland footprint. */
export const LOCAL_AUTHORITIES = ['LEICESTER', 'LEICESTERSHIRE', 'RUTLAND'] as const;
export type LocalAuthority = (typeof LOCAL_AUTHORITIES)[number];

/** The four partner agencies. */
export const AGENCIES = ['social-care', 'health', 'police', 'education', 'family-help'] as const;
export type Agency = (typeof AGENCIES)[number];

/** Share of the footprint's children living in each LA (roughly LLR's populations). */
export const LA_WEIGHTS: readonly (readonly [LocalAuthority, number])[] = [
  ['LEICESTER', 0.36],
  ['LEICESTERSHIRE', 0.58],
  ['RUTLAND', 0.06],
];

const LA_CODE: Record<LocalAuthority, number> = { LEICESTER: 1, LEICESTERSHIRE: 2, RUTLAND: 3 };
const SCHOOLS_PER_LA: Record<LocalAuthority, number> = { LEICESTER: 24, LEICESTERSHIRE: 36, RUTLAND: 6 };
const PRACTICES_PER_LA: Record<LocalAuthority, number> = { LEICESTER: 12, LEICESTERSHIRE: 18, RUTLAND: 3 };

export interface School {
  urn: string;
  name: string;
  la: LocalAuthority;
  phase: 'PRIMARY' | 'SECONDARY';
}

export interface GpPractice {
  odsCode: string;
  name: string;
  la: LocalAuthority;
}

function town(la: LocalAuthority, i: number): string {
  const towns = TOWNS[la];
  return towns[i % towns.length] as string;
}

/** Every school in the footprint; URNs are synthetic (9xxxxx, outside the real range's use here). */
export const SCHOOLS: readonly School[] = LOCAL_AUTHORITIES.flatMap((la) =>
  Array.from({ length: SCHOOLS_PER_LA[la] }, (_, i): School => {
    const phase = i % 3 === 2 ? 'SECONDARY' : 'PRIMARY';
    return {
      urn: `9${LA_CODE[la]}${String(i + 1).padStart(4, '0')}`,
      name: `${town(la, i)} ${phase === 'PRIMARY' ? 'Primary School' : 'Academy'}${i >= TOWNS[la].length ? ` ${Math.floor(i / TOWNS[la].length) + 1}` : ''}`,
      la,
      phase,
    };
  }),
);

/** Every GP practice in the footprint, with synthetic ODS-style codes. */
export const GP_PRACTICES: readonly GpPractice[] = LOCAL_AUTHORITIES.flatMap((la) =>
  Array.from(
    { length: PRACTICES_PER_LA[la] },
    (_, i): GpPractice => ({
      odsCode: `Z${LA_CODE[la]}${String(i + 1).padStart(4, '0')}`,
      name: `${town(la, i)} Medical Practice${i >= TOWNS[la].length ? ` ${Math.floor(i / TOWNS[la].length) + 1}` : ''}`,
      la,
    }),
  ),
);

export function schoolsIn(la: LocalAuthority, phase: School['phase']): School[] {
  return SCHOOLS.filter((s) => s.la === la && s.phase === phase);
}

export function practicesIn(la: LocalAuthority): GpPractice[] {
  return GP_PRACTICES.filter((p) => p.la === la);
}

/** Roles of DESIGN section 4. */
export const ROLES = [
  'LCPP',
  'SOCIAL_WORKER',
  'MACPT_POLICE',
  'MACPT_HEALTH',
  'MACPT_EDUCATION',
  'SCHOOL_DSL',
  'IG_LEAD',
  'PARTNERSHIP_BOARD',
  'FAMILY_HELP_PRACTITIONER',
] as const;
export type Role = (typeof ROLES)[number];

/** A member of staff who can be named on a case or sign in as a demo persona. */
export interface Worker {
  id: string;
  name: string;
  role: Role;
  agency: Agency;
  la: LocalAuthority | null;
  school?: string;
}

const TEAM_SHAPE: readonly (readonly [Role, Agency, string, number])[] = [
  ['LCPP', 'social-care', 'lcpp', 1],
  ['SOCIAL_WORKER', 'social-care', 'sw', 3],
  ['MACPT_POLICE', 'police', 'police', 2],
  ['MACPT_HEALTH', 'health', 'health', 2],
  ['MACPT_EDUCATION', 'education', 'education', 2],
];

const STAFF_NAMES = [
  'Alex Marlow',
  'Sam Pendry',
  'Jo Whitcombe',
  'Chris Haddon',
  'Robin Elsey',
  'Pat Cawley',
  'Morgan Tait',
  'Jamie Rudd',
];

/** The MACPT of each LA: one LCPP, social workers and named workers from police, health and education. */
export const MACPT_TEAMS = Object.fromEntries(
  LOCAL_AUTHORITIES.map((la, laIndex) => {
    let n = laIndex;
    const team = TEAM_SHAPE.flatMap(([role, agency, prefix, count]) =>
      Array.from(
        { length: count },
        (_, i): Worker => ({
          id: count === 1 ? `${prefix}-${la.toLowerCase()}` : `${prefix}-${la.toLowerCase()}-${i + 1}`,
          name: STAFF_NAMES[n++ % STAFF_NAMES.length] as string,
          role,
          agency,
          la,
        }),
      ),
    );
    return [la, team];
  }),
) as unknown as Readonly<Record<LocalAuthority, readonly Worker[]>>;

const LEAD_PRACTITIONER_NAMES = [
  'Dana Frome',
  'Ellis Varley',
  'Kit Ormsby',
  'Nell Astbury',
  'Reece Tolland',
  'Bo Hensher',
];

/** Each LA's Family Help lead practitioners (not MACPT members): each leads some of the families Family Help works with. */
export const FAMILY_HELP_TEAMS = Object.fromEntries(
  LOCAL_AUTHORITIES.map((la, laIndex) => [
    la,
    [1, 2, 3].map(
      (i): Worker => ({
        id: `fh-${la.toLowerCase()}-${i}`,
        name: LEAD_PRACTITIONER_NAMES[(laIndex * 3 + i - 1) % LEAD_PRACTITIONER_NAMES.length] as string,
        role: 'FAMILY_HELP_PRACTITIONER',
        agency: 'family-help',
        la,
      }),
    ),
  ]),
) as unknown as Readonly<Record<LocalAuthority, readonly Worker[]>>;

/** The designated safeguarding lead of a school (not a MACPT member). */
export function dslFor(school: School): Worker {
  return {
    id: `dsl-${school.urn}`,
    name: `DSL of ${school.name}`,
    role: 'SCHOOL_DSL',
    agency: 'education',
    la: school.la,
    school: school.urn,
  };
}

/** Each LA's safeguarding partnership board: sees that LA's de-identified partnership figures only. */
export const PARTNERSHIP_BOARDS: readonly Worker[] = LOCAL_AUTHORITIES.map((la) => ({
  id: `board-${la.toLowerCase()}`,
  name: `Safeguarding partnership board, ${la.charAt(0)}${la.slice(1).toLowerCase()}`,
  role: 'PARTNERSHIP_BOARD',
  agency: 'social-care',
  la,
}));

/** The ethnic groups (ONS 2021 high-level categories) social care records, roughly in each LA's proportions. */
export const ETHNICITY_WEIGHTS: Readonly<Record<LocalAuthority, readonly (readonly [string, number])[]>> = {
  LEICESTER: [
    ['Asian or Asian British', 43],
    ['White', 41],
    ['Black, Black British, Caribbean or African', 8],
    ['Mixed or multiple ethnic groups', 4],
    ['Other ethnic group', 4],
  ],
  LEICESTERSHIRE: [
    ['White', 88],
    ['Asian or Asian British', 7],
    ['Mixed or multiple ethnic groups', 3],
    ['Black, Black British, Caribbean or African', 1],
    ['Other ethnic group', 1],
  ],
  RUTLAND: [
    ['White', 94],
    ['Asian or Asian British', 2],
    ['Mixed or multiple ethnic groups', 2],
    ['Black, Black British, Caribbean or African', 1],
    ['Other ethnic group', 1],
  ],
};

/** One information-governance lead per agency: they review the disclosure log and see no child records. */
export const IG_LEADS: readonly Worker[] = AGENCIES.map((agency) => ({
  id: `ig-${agency}`,
  name: `IG lead, ${agency}`,
  role: 'IG_LEAD',
  agency,
  la: null,
}));
