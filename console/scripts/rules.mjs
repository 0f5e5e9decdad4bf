// Writes src/generated/rules.ts from policies/: who may open child records for which purposes, the
// break-glass purpose and its justification's minimum length, who may list a caseload, see figures or review
// the log. The console shows what these rules allow; the gateway decides by the same rules.
import { writeFileSync } from 'node:fs';
import {
  auditRefusal,
  BREAK_GLASS_PURPOSE,
  CASELOAD_ROLES,
  entryRefusal,
  FIGURES_ROLES,
  MIN_JUSTIFICATION,
  PURPOSES,
  ROLES,
} from '@macpt/policies';

const rules = {
  purposes: [...PURPOSES],
  breakGlassPurpose: BREAK_GLASS_PURPOSE,
  minJustification: MIN_JUSTIFICATION,
  childRecordPurposes: Object.fromEntries(
    ROLES.map((role) => [role, PURPOSES.filter((purpose) => entryRefusal({ role }, purpose) === null)]),
  ),
  caseloadRoles: [...CASELOAD_ROLES],
  figuresRoles: [...FIGURES_ROLES],
  auditRoles: ROLES.filter((role) => auditRefusal({ role }, 'IG_AUDIT') === null),
};
const out = new URL('../src/generated/rules.ts', import.meta.url);
writeFileSync(
  out,
  `// Generated from policies/ by console/scripts/rules.mjs (npm run codegen): do not edit.\n\n/** The sharing rules the console shows (the gateway decides by the same ones). */\nexport const RULES = ${JSON.stringify(rules, null, 2)} as const;\n\nexport type Role = keyof typeof RULES.childRecordPurposes;\n`,
);
console.log(`wrote ${out.pathname}`);
