import { sinceDate, type SubgraphContext } from '@macpt/subgraph-kit';
import type { HealthLoaders } from '../loaders.js';
import type { PatientRow } from '../store/queries.js';

type Ctx = SubgraphContext<HealthLoaders>;
type Keyed = { nhsNumber: string };

/** All of health's resolvers. */
export function resolvers() {
  return {
    Child: {
      __resolveReference: (ref: Keyed) => ({ nhsNumber: ref.nhsNumber }),
      health: (child: Keyed, _: unknown, ctx: Ctx) => ctx.loaders.patient.load(child.nhsNumber),
    },
    HealthRecord: {
      gpPractice: (p: PatientRow, _: unknown, ctx: Ctx) => ctx.loaders.practice.load(p.gpPractice),
      namedProfessional: (p: PatientRow) => ({ kind: p.professionalKind, name: p.professionalName }),
      aeAttendances: async (p: PatientRow, args: { sinceDays?: number | null }, ctx: Ctx) => {
        const from = sinceDate(args.sinceDays);
        return (await ctx.loaders.ae.load(p.nhsNumber)).filter((a) => a.date >= from);
      },
      wasNotBrought: (p: PatientRow, _: unknown, ctx: Ctx) => ctx.loaders.wnb.load(p.nhsNumber),
      immunisations: (p: PatientRow, _: unknown, ctx: Ctx) => ctx.loaders.immunisations.load(p.nhsNumber),
      camhs: (p: PatientRow, _: unknown, ctx: Ctx) => ctx.loaders.camhs.load(p.nhsNumber),
      sexualHealth: async (p: PatientRow, _: unknown, ctx: Ctx) =>
        (await ctx.loaders.sexualHealth.load(p.nhsNumber)).filter((s) => s.confidential === 0),
      confidentialSexualHealth: async (p: PatientRow, _: unknown, ctx: Ctx) =>
        (await ctx.loaders.sexualHealth.load(p.nhsNumber)).filter((s) => s.confidential === 1),
      householdMaternityConcerns: (p: PatientRow, _: unknown, ctx: Ctx) => ctx.loaders.maternity.load(p.householdId),
    },
  };
}
