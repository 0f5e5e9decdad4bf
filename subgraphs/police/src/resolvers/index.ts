import { sinceDate, type SubgraphContext } from '@macpt/subgraph-kit';
import type { PoliceLoaders } from '../loaders.js';
import type { PersonRow } from '../store/queries.js';

type Ctx = SubgraphContext<PoliceLoaders>;
type Keyed = { nhsNumber: string };

/** Handling code "P" permits lawful onward sharing; every other code keeps the record within police. */
const shareable = (code: string) => code === 'P';

/** All of police's resolvers. */
export function resolvers() {
  return {
    Child: {
      __resolveReference: (ref: Keyed) => ({ nhsNumber: ref.nhsNumber }),
      police: (child: Keyed, _: unknown, ctx: Ctx) => ctx.loaders.person.load(child.nhsNumber),
      operationEncompass: (child: Keyed, _: unknown, ctx: Ctx) => ctx.loaders.encompass.load(child.nhsNumber),
    },
    PoliceRecord: {
      incidents: async (p: PersonRow, args: { sinceDays?: number | null }, ctx: Ctx) => {
        const from = sinceDate(args.sinceDays);
        return (await ctx.loaders.incidents.load(p.nhsNumber)).filter((i) => i.date >= from);
      },
      domesticAbuseIncidents: (p: PersonRow, _: unknown, ctx: Ctx) => ctx.loaders.domesticAbuse.load(p.householdId),
      missingEpisodes: (p: PersonRow, _: unknown, ctx: Ctx) => ctx.loaders.missing.load(p.nhsNumber),
      exploitationRisk: (p: PersonRow, _: unknown, ctx: Ctx) => ctx.loaders.exploitation.load(p.nhsNumber),
      policeProtection: (p: PersonRow, _: unknown, ctx: Ctx) => ctx.loaders.protection.load(p.nhsNumber),
      intelligence: async (p: PersonRow, _: unknown, ctx: Ctx) =>
        (await ctx.loaders.intelligence.load(p.nhsNumber)).filter((i) => shareable(i.handlingCode)),
      restrictedIntelligence: async (p: PersonRow, _: unknown, ctx: Ctx) =>
        (await ctx.loaders.intelligence.load(p.nhsNumber)).filter((i) => !shareable(i.handlingCode)),
      householdOffending: (p: PersonRow, _: unknown, ctx: Ctx) => ctx.loaders.offences.load(p.householdId),
    },
  };
}
