import { Kind, parse, type DocumentNode } from 'graphql';
import type { AgencyPolicy } from './vocabulary.js';

/** Every `Type.field` an agency's subgraph schema publishes (federation's own `_entities`/`_service` excluded). */
export function publishedFields(sdl: string | DocumentNode): string[] {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const out: string[] = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of def.fields ?? []) out.push(`${def.name.value}.${field.name.value}`);
  }
  return out;
}

/**
 * What is wrong between an agency's schema and its policy: fields with no class (which would never be
 * disclosed) and policy entries naming fields that no longer exist. Empty when they agree.
 */
export function coverageProblems(
  policy: AgencyPolicy,
  sdl: string | DocumentNode,
  policyFile = `policies/agencies/${policy.agency}.yaml`,
): string[] {
  const published = new Set(publishedFields(sdl));
  const problems: string[] = [];
  for (const field of published) {
    if (!policy.fields[field]) problems.push(`${policy.agency}: ${field} has no class in ${policyFile}`);
  }
  for (const field of Object.keys(policy.fields)) {
    if (!published.has(field))
      problems.push(
        `${policy.agency}: ${policyFile} classifies ${field}, which the ${policy.agency} schema no longer publishes`,
      );
  }
  if (policy.caseStage && !policy.fields[policy.caseStage])
    problems.push(`${policy.agency}: ${policyFile} names caseStage ${policy.caseStage}, which it does not classify`);
  return problems;
}
