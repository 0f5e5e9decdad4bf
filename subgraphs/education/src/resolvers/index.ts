import type { SubgraphContext } from '@macpt/subgraph-kit';
import type { EducationLoaders } from '../loaders.js';
import type { PupilRow } from '../store/queries.js';

type Ctx = SubgraphContext<EducationLoaders>;
type Keyed = { nhsNumber: string };

/** Below 90% of possible sessions is persistent absence (DfE definition). */
const PERSISTENT_ABSENCE_BELOW = 0.9;

/** All of education's resolvers. */
export function resolvers() {
  return {
    Child: {
      __resolveReference: (ref: Keyed) => ({ nhsNumber: ref.nhsNumber }),
      education: (child: Keyed, _: unknown, ctx: Ctx) => ctx.loaders.pupil.load(child.nhsNumber),
    },
    EducationRecord: {
      school: (p: PupilRow, _: unknown, ctx: Ctx) => (p.schoolUrn ? ctx.loaders.school.load(p.schoolUrn) : null),
      attendance: (p: PupilRow) =>
        p.attendanceRate === null
          ? null
          : {
              nhsNumber: p.nhsNumber,
              rate: p.attendanceRate,
              persistentAbsence: p.attendanceRate < PERSISTENT_ABSENCE_BELOW,
              sessionsPossible: p.sessionsPossible,
            },
      suspensions: (p: PupilRow, _: unknown, ctx: Ctx) => ctx.loaders.suspensions.load(p.nhsNumber),
      exclusions: (p: PupilRow, _: unknown, ctx: Ctx) => ctx.loaders.exclusions.load(p.nhsNumber),
      dslConcerns: (p: PupilRow, _: unknown, ctx: Ctx) => ctx.loaders.dslConcerns.load(p.nhsNumber),
    },
  };
}
