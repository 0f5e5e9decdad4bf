import { composeServices } from '@apollo/composition';
import {
  AGENCIES,
  AGENCIES_OF_ROLE,
  chronologyProblems,
  parseAgencyPolicy,
  PolicyEngine,
  PolicyFileError,
  PURPOSES,
  publishedFields,
  ROLES,
  type AgencyPolicy,
  type PolicyUser,
} from '@macpt/policies';
import { type DocumentNode, GraphQLError, type GraphQLSchema, parse, printSchema, validate } from 'graphql';

/** One agency's subgraph as served: its schema, its sharing policy, where it listens. */
export interface AgencySubgraph {
  agency: string;
  url: string;
  sdl: string;
  policy: AgencyPolicy;
}

/** A subgraph the gateway serves itself (directory, IG review): composed in, no policy file. */
export interface OwnSubgraph {
  name: string;
  url: string;
  sdl: string;
}

/** A registered trusted document: its file and its text. */
export interface Operation {
  file: string;
  text: string;
}

export type ProblemKind =
  | 'UNKNOWN_AGENCY'
  | 'SCHEMA_SYNTAX'
  | 'POLICY_FILE'
  | 'POLICY_AGENCY'
  | 'UNCLASSIFIED_FIELD'
  | 'STALE_CLASSIFICATION'
  | 'CHRONOLOGY_SOURCE'
  | 'COMPOSITION'
  | 'BREAKS_OPERATION';

/** Who a field becomes visible (or stops being visible) to: a role, of an agency, for a purpose. */
export interface Audience {
  role: string;
  agency: string;
  purpose: string;
}

/** One field whose visibility changes, and to whom. */
export interface FieldImpact {
  field: string;
  change: 'BECOMES_VISIBLE' | 'STOPS_BEING_VISIBLE';
  to: Audience[];
}

/** What a proposed publication would do: its problems (none: it may be published) and its policy impact. */
export interface CheckReport {
  agency: string;
  ok: boolean;
  problems: { kind: ProblemKind; message: string }[];
  impact: FieldImpact[];
  /** True when any field becomes visible to anyone: the publication waits for the agency's IG lead. */
  widens: boolean;
  schemaHash: string;
  policyHash: string;
}

/** The published state plus the candidate, composed: the supergraph and its API schema. */
export function compose(
  own: readonly OwnSubgraph[],
  agencies: readonly AgencySubgraph[],
): { supergraphSdl: string; apiSchema: GraphQLSchema } | { errors: string[] } {
  const result = composeServices([
    ...own.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
    ...agencies.map((a) => ({ name: a.agency, url: a.url, typeDefs: parse(a.sdl) })),
  ]);
  if (result.errors) return { errors: result.errors.map((e) => e.message) };
  return { supergraphSdl: result.supergraphSdl, apiSchema: result.schema.toAPISchema().toGraphQLJSSchema() };
}

/** The API schema of a composition, printed (for hashing and for clients). */
export const printApiSchema = (schema: GraphQLSchema) => printSchema(schema);

/** The agencies whose staff hold each role (policies' AGENCIES_OF_ROLE; an IG lead belongs to any agency). */
const agenciesOf = (role: (typeof ROLES)[number]): readonly string[] =>
  AGENCIES_OF_ROLE[role] === 'ANY' ? AGENCIES : AGENCIES_OF_ROLE[role];

/** Every role, of each agency that has it, for every purpose: the audiences a field's visibility is compared for. */
const AUDIENCES: { user: PolicyUser; purpose: (typeof PURPOSES)[number] }[] = ROLES.flatMap((role) =>
  agenciesOf(role).flatMap((agency) =>
    PURPOSES.map((purpose) => ({
      user: { id: 'impact', role, agency, la: 'LEICESTER', school: '000000' } as PolicyUser,
      purpose,
    })),
  ),
);

/**
 * For every role (of every agency) and purpose, the fields of `agency` that become visible or stop being
 * visible between two sets of policies. A field is visible when some child could make it so (the
 * engine's `neverVisible` is false): the data owner's decision, whatever a given child's case says.
 */
export function policyImpact(
  agency: string,
  before: { policies: readonly AgencyPolicy[]; fields: readonly string[] },
  after: { policies: readonly AgencyPolicy[]; fields: readonly string[] },
): FieldImpact[] {
  const was = new PolicyEngine(before.policies);
  const is = new PolicyEngine(after.policies);
  const owned = (engine: PolicyEngine, field: string) => engine.fieldRule(field)?.agency === agency;
  const fields = [...new Set([...before.fields, ...after.fields])].sort();
  const out: FieldImpact[] = [];
  for (const field of fields) {
    if (!owned(was, field) && !owned(is, field)) continue;
    const gained: Audience[] = [];
    const lost: Audience[] = [];
    for (const { user, purpose } of AUDIENCES) {
      const visibleBefore = before.fields.includes(field) && !was.neverVisible(user, purpose, field);
      const visibleAfter = after.fields.includes(field) && !is.neverVisible(user, purpose, field);
      if (visibleAfter && !visibleBefore) gained.push({ role: user.role, agency: user.agency, purpose });
      if (visibleBefore && !visibleAfter) lost.push({ role: user.role, agency: user.agency, purpose });
    }
    if (gained.length > 0) out.push({ field, change: 'BECOMES_VISIBLE', to: gained });
    if (lost.length > 0) out.push({ field, change: 'STOPS_BEING_VISIBLE', to: lost });
  }
  return out;
}

/** The operations a schema can no longer run, among those it could run before: file, operation, why. */
function brokenOperations(before: GraphQLSchema | null, after: GraphQLSchema, operations: readonly Operation[]) {
  const out: string[] = [];
  for (const op of operations) {
    let document: DocumentNode;
    try {
      document = parse(op.text);
    } catch {
      continue; // the manifest build refuses an operation that does not parse
    }
    if (before && validate(before, document).length > 0) continue; // already broken: not this change's doing
    const errors = validate(after, document);
    if (errors.length === 0) continue;
    const names = document.definitions.flatMap((d) =>
      d.kind === 'OperationDefinition' && d.name ? [d.name.value] : [],
    );
    out.push(`operations/${op.file} (${names.join(', ') || 'anonymous'}): ${errors[0]!.message}`);
  }
  return out;
}

/**
 * Checks a proposed publication of one agency's subgraph against what is published now: the schema
 * parses, the policy file is valid and speaks for this agency, every published field has a class and
 * every class a field, the supergraph composes, no registered operation breaks; and its policy impact.
 */
export function checkPublication(input: {
  agency: string;
  url: string;
  sdl: string;
  policyText: string;
  published: readonly AgencySubgraph[];
  own: readonly OwnSubgraph[];
  operations: readonly Operation[];
  hashes: { schemaHash: string; policyHash: string };
}): CheckReport & { supergraphSdl?: string } {
  const problems: CheckReport['problems'] = [];
  const report = (extra: Partial<CheckReport> = {}) => ({
    agency: input.agency,
    ok: problems.length === 0,
    problems,
    impact: [],
    widens: false,
    ...input.hashes,
    ...extra,
  });
  if (!(AGENCIES as readonly string[]).includes(input.agency)) {
    problems.push({ kind: 'UNKNOWN_AGENCY', message: `"${input.agency}" is not an agency of this partnership` });
    return report();
  }
  let document: DocumentNode | null = null;
  try {
    document = parse(input.sdl);
  } catch (error) {
    const e = error as GraphQLError;
    const at = e.locations?.[0];
    problems.push({
      kind: 'SCHEMA_SYNTAX',
      message: `schema.graphql${at ? `:${at.line}:${at.column}` : ''}: ${e.message.replace(/^Syntax Error: /, '')}`,
    });
  }
  let policy: AgencyPolicy | null = null;
  try {
    policy = parseAgencyPolicy(input.policyText, `${input.agency}.yaml`);
  } catch (error) {
    if (!(error instanceof PolicyFileError)) throw error;
    for (const p of error.problems)
      problems.push({ kind: 'POLICY_FILE', message: `${error.file}:${p.line}:${p.column}: ${p.message}` });
  }
  if (policy && policy.agency !== input.agency)
    problems.push({
      kind: 'POLICY_AGENCY',
      message: `the policy file speaks for "${policy.agency}", not "${input.agency}"`,
    });
  if (!document || !policy || problems.length > 0) return report();

  const fields = publishedFields(document);
  for (const field of fields)
    if (!policy.fields[field])
      problems.push({
        kind: 'UNCLASSIFIED_FIELD',
        message: `${field} is published but has no class in the policy file`,
      });
  for (const field of Object.keys(policy.fields))
    if (!fields.includes(field))
      problems.push({
        kind: 'STALE_CLASSIFICATION',
        message: `the policy file classifies ${field}, which the schema does not publish`,
      });
  for (const message of chronologyProblems(policy, document, `${input.agency}.yaml`))
    problems.push({ kind: 'CHRONOLOGY_SOURCE', message });

  const current = input.published.find((a) => a.agency === input.agency) ?? null;
  const others = input.published.filter((a) => a.agency !== input.agency);
  const candidate: AgencySubgraph = { agency: input.agency, url: input.url, sdl: input.sdl, policy };
  const before = compose(input.own, input.published);
  const after = compose(input.own, [...others, candidate]);
  if ('errors' in after) for (const message of after.errors) problems.push({ kind: 'COMPOSITION', message });
  else
    for (const message of brokenOperations(
      'errors' in before ? null : before.apiSchema,
      after.apiSchema,
      input.operations,
    ))
      problems.push({ kind: 'BREAKS_OPERATION', message });

  const impact = policyImpact(
    input.agency,
    { policies: input.published.map((a) => a.policy), fields: current ? publishedFields(current.sdl) : [] },
    { policies: [...others.map((a) => a.policy), policy], fields },
  );
  return {
    ...report({ impact, widens: impact.some((i) => i.change === 'BECOMES_VISIBLE') }),
    ...('errors' in after ? {} : { supergraphSdl: after.supergraphSdl }),
  };
}
