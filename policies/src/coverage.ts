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
  problems.push(...chronologyProblems(policy, typeof sdl === 'string' ? parse(sdl) : sdl, policyFile));
  return problems;
}

/** Each field's named type, per object type, as the SDL declares them. */
function fieldTypes(document: DocumentNode): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const fields = out.get(def.name.value) ?? new Map<string, string>();
    for (const field of def.fields ?? []) {
      let type = field.type;
      while (type.kind !== Kind.NAMED_TYPE) type = type.type;
      fields.set(field.name.value, type.name.value);
    }
    out.set(def.name.value, fields);
  }
  return out;
}

/**
 * A chronology source must lead from `Child`, through fields this agency publishes and classifies, to an
 * object type whose date and detail fields it classifies too: its entries are views of those fields only.
 */
export function chronologyProblems(policy: AgencyPolicy, document: DocumentNode, policyFile: string): string[] {
  const types = fieldTypes(document);
  const problems: string[] = [];
  for (const source of policy.chronology ?? []) {
    const where = `${policy.agency}: ${policyFile} chronology ${source.kind}`;
    let type = 'Child';
    let ok = true;
    for (const name of source.path) {
      const next = types.get(type)?.get(name);
      if (!next || !policy.fields[`${type}.${name}`]) {
        problems.push(`${where}: ${type}.${name} is not a field this agency publishes and classifies`);
        ok = false;
        break;
      }
      type = next;
    }
    if (!ok) continue;
    for (const name of [source.date, ...source.detail])
      if (!types.get(type)?.has(name) || !policy.fields[`${type}.${name}`])
        problems.push(`${where}: ${type}.${name} is not a field this agency publishes and classifies`);
  }
  return problems;
}
