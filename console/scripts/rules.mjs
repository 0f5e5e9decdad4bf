// Writes src/generated/rules.ts from policies/: who may open child records for which purposes, the
// break-glass purpose and its justification's minimum length, who may list a caseload, see figures or review
// the log. The console shows what these rules allow; the gateway decides by the same rules.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildSchema, getNamedType, isListType, isNonNullType, isObjectType } from 'graphql';
import {
  auditRefusal,
  BREAK_GLASS_PURPOSE,
  CASELOAD_ROLES,
  entryRefusal,
  FIGURES_ROLES,
  MIN_JUSTIFICATION,
  POLICIES,
  PURPOSES,
  ROLES,
} from '@macpt/policies';

// Each agency's fields on Child, from its policy file, with their types from the gateway's API schema: the
// child view's panels and the decision form read them, so a partner that joins needs no console change.
const schema = buildSchema(readFileSync(new URL('../../gateway/api-schema.graphql', import.meta.url), 'utf8'));
const child = schema.getType('Child').getFields();
const agencies = POLICIES.map((policy) => {
  const fields = Object.keys(policy.fields)
    .filter((c) => c.startsWith('Child.') && c !== 'Child.nhsNumber' && child[c.slice(6)])
    .map((c) => {
      const def = child[c.slice(6)];
      const type = isNonNullType(def.type) ? def.type.ofType : def.type;
      return { field: def.name, type: getNamedType(def.type).name, list: isListType(type) };
    });
  const record = fields.find((f) => !f.list && isObjectType(schema.getType(f.type)));
  return { agency: policy.agency, fields, record: record ? { field: record.field, type: record.type } : null };
});

const rules = {
  agencies,
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
