import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import { loadNotificationRules, POLICIES } from '@macpt/policies';
import { Random, type Child, type Persona } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceAllows } from './reference-policy.js';
import {
  children,
  gql,
  headers,
  householdOf,
  JUSTIFICATION,
  PURPOSES,
  recordEvent,
  startTestStack,
} from './testkit.js';
import { truthAbout, truthNotShared } from './truth.js';

// A seeded policy fuzzer: random valid operations (aliases, inline and named fragments, nesting) by
// random personas for random purposes about random children. Every response is checked against the
// independent reference evaluator (nothing forbidden is disclosed) and against its disclosure record
// (everything disclosed is recorded). Reproduce a failure with FUZZ_SEED=<seed> npm test.

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const MAX_CASES = Number(process.env.FUZZ_CASES ?? 250);
const MAX_MS = 40_000;
const FIELD = new Map(
  POLICIES.flatMap((p) => Object.entries(p.fields).map(([c, rule]) => [c, { ...rule, owner: p.agency }] as const)),
);
const RULES = loadNotificationRules();
const DAYS_AGO = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
/** Children the fuzzer's agencies record events about: items in inboxes, some already overdue. */
const onPlanKnownToHealth = children.filter((c) => c.socialCare?.stage === 'CP_PLAN' && c.health).slice(0, 6);
const pupilsKnownToPolice = children.filter((c) => c.police && c.education?.schoolUrn).slice(0, 4);
const notified = [...onPlanKnownToHealth, ...pupilsKnownToPolice];

/** Builds a random selection of `type`, at most `depth` levels, within the gateway's alias limit. */
function randomSelection(
  rnd: Random,
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  depth: number,
  budget: { aliases: number; fragments: string[] },
): string {
  const fields = Object.values(type.getFields()).filter((f) => !f.args.some((a) => a.type.toString().endsWith('!')));
  const picks = Array.from({ length: rnd.int(1, Math.min(4, fields.length)) }, () => rnd.pick(fields));
  const parts: string[] = [];
  for (const field of picks) {
    const named = getNamedType(field.type);
    const alias = budget.aliases > 0 && rnd.chance(0.3) ? (budget.aliases--, `x${rnd.int(0, 9999)}: `) : '';
    const args =
      field.args.some((a) => a.name === 'sinceDays') && rnd.chance(0.4)
        ? `(sinceDays: ${rnd.pick([30, 90, 365])})`
        : '';
    if (isLeafType(named)) parts.push(`${alias}${field.name}${args}`);
    else if (isObjectType(named) && depth > 1) {
      let inner = randomSelection(rnd, schema, named, depth - 1, budget);
      if (rnd.chance(0.2)) {
        const name = `F${budget.fragments.length}`;
        budget.fragments.push(`fragment ${name} on ${named.name} { ${inner} }`);
        inner = `...${name}`;
      } else if (rnd.chance(0.2)) inner = `... on ${named.name} { ${inner} }`;
      parts.push(`${alias}${field.name}${args} { ${inner} }`);
    }
  }
  return parts.length ? parts.join(' ') : '__typename';
}

/** Calls `fn` for every field value present in `data` along the operation, with its coordinate. */
function walk(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLObjectType,
  value: unknown,
  fragments: Map<string, SelectionSetNode>,
  fn: (coordinate: string, v: unknown) => void,
): void {
  if (Array.isArray(value)) return value.forEach((v) => walk(schema, selectionSet, type, v, fragments, fn));
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) walk(schema, selection.selectionSet, type, obj, fragments, fn);
    else if (selection.kind === Kind.FRAGMENT_SPREAD)
      walk(schema, fragments.get(selection.name.value)!, type, obj, fragments, fn);
    else if (selection.name.value !== '__typename') {
      const key = selection.alias?.value ?? selection.name.value;
      const field = type.getFields()[selection.name.value]!;
      fn(`${type.name}.${field.name}`, obj[key]);
      const named = getNamedType(field.type);
      if (selection.selectionSet && isObjectType(named))
        walk(schema, selection.selectionSet, named, obj[key], fragments, fn);
    }
  }
}

let stack: Awaited<ReturnType<typeof startTestStack>>;
let schema: GraphQLSchema;

beforeAll(async () => {
  // The standard introspection query is 13 levels deep: allow it here so the fuzzer can read the schema.
  stack = await startTestStack(
    {},
    { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000', RATE_LIMIT_CHILDREN_PER_HOUR: '100000', MAX_DEPTH: '16' },
  );
  const introspection = await gql<IntrospectionQuery>(
    stack.gatewayUrl,
    getIntrospectionQuery(),
    {},
    headers(await stack.tokenFor('lcpp-leicester'), 'STRATEGY_DISCUSSION'),
  );
  schema = buildClientSchema(introspection.data!);
});
afterAll(async () => {
  await stack?.stopAll();
});

describe(`policy fuzzer (seed ${SEED})`, () => {
  it('finds no disclosed field the design forbids, and no disclosure missing from the log', {
    timeout: 120_000,
  }, async () => {
    const rnd = new Random(SEED);
    // Events the agencies record as their systems would; half happened three days ago, so their items are overdue.
    const events = [
      ...onPlanKnownToHealth.map((c, i) => ['health', 'ae-attendance', c, i % 2 ? DAYS_AGO(3) : undefined] as const),
      ...pupilsKnownToPolice.map(
        (c, i) => ['police', 'domestic-abuse-incident', c, i % 2 ? DAYS_AGO(3) : undefined] as const,
      ),
    ];
    for (const [agency, kind, child, at] of events) {
      const run = recordEvent(stack.dataDir, agency, kind, child.nhsNumber, at);
      expect(run.stderr).toBe('');
    }
    // Wait until the relays have delivered them: the LCPP of the first child's LA sees it overdue.
    const lcpp = headers(
      await stack.tokenFor(`lcpp-${householdOf(onPlanKnownToHealth[1]!).la.toLowerCase()}`),
      'CP_PLAN_REVIEW',
    );
    await expect
      .poll(
        async () =>
          (await gql(stack.gatewayUrl, `{ overdueNotifications { id } }`, {}, lcpp)).data?.overdueNotifications
            ?.length ?? 0,
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(0);
    // Children with cases, children without, and children of confidential households that the flagging agency never met.
    const unmetSiblings = children.filter((c) => {
      const flagger = householdOf(c).confidentialBy;
      return (flagger === 'social-care' && !c.socialCare) || (flagger === 'police' && !c.police);
    });
    const pool: Child[] = [
      ...children.filter((c) => c.socialCare?.caseId).slice(0, 150),
      ...children.slice(0, 50),
      ...unmetSiblings.slice(0, 30),
      // Children an agency has decided not to share some information about (the oracle knows the decisions).
      ...children.filter((c) => c.sharingDecisions.length > 0).slice(0, 40),
      ...notified,
    ];
    const byNhs = new Map(children.map((c) => [c.nhsNumber, c]));
    // Those whom the events' rules address: the children's named workers, their LAs' LCPPs, their schools' DSLs.
    const addressed = stack.personas.filter(
      (p) =>
        p.role === 'LCPP' ||
        notified.some(
          (c) => c.socialCare?.namedWorkers.includes(p.id) || p.id === `dsl-${c.education?.schoolUrn ?? ''}`,
        ),
    );
    expect(addressed.length).toBeGreaterThan(3);
    expect(unmetSiblings.length).toBeGreaterThan(0);
    const answered: { requestId: string | null; user: string; label: string }[] = [];
    const personas: Persona[] = stack.personas;
    const tokens = new Map<string, string>();
    const problems: string[] = [];
    const checked: { requestId: string; user: string; disclosed: Set<string>; label: string }[] = [];
    const started = Date.now();
    const childType = schema.getType('Child') as GraphQLObjectType;

    const truthOf = (persona: Persona, purpose: string, child: Child) =>
      truthAbout(persona, purpose, child, householdOf(child));
    const send = async (persona: Persona, purpose: string, query: string, variables: Record<string, unknown>) => {
      if (!tokens.has(persona.id)) tokens.set(persona.id, await stack.tokenFor(persona.id));
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...headers(tokens.get(persona.id)!, purpose, purpose === 'EMERGENCY' ? JUSTIFICATION : undefined),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, any> | null; errors?: unknown[] };
      return { status: response.status, body, requestId: response.headers.get('x-request-id') };
    };
    /** Checks every field of one child's answer against the reference; returns what was disclosed. */
    const checkChild = (
      persona: Persona,
      purpose: string,
      child: Child,
      selection: SelectionSetNode,
      fragments: Map<string, SelectionSetNode>,
      value: unknown,
      label: string,
      disclosed: Set<string>,
    ) => {
      const attrs = truthOf(persona, purpose, child);
      walk(schema, selection, childType, value, fragments, (coordinate, v) => {
        const rule = FIELD.get(coordinate);
        if (!rule || coordinate === 'Child.nhsNumber' || v === null || v === undefined) return;
        disclosed.add(coordinate);
        const allowed = referenceAllows(
          { role: persona.role, agency: persona.agency },
          purpose,
          { class: rule.class, owner: rule.owner, location: rule.location, encompass: rule.encompass },
          attrs,
          coordinate,
        );
        if (!allowed)
          problems.push(
            `${label}\n  → disclosed ${coordinate} of ${child.nhsNumber}, which DESIGN §4 forbids (${JSON.stringify(attrs)})`,
          );
      });
    };
    /** One fuzzed field query about `asked` children (one with `child`, several with `children`), checked. */
    const fieldQuery = async (persona: Persona, purpose: string, asked: Child[], label: string) => {
      const budget = { aliases: 10, fragments: [] as string[] };
      const selection = randomSelection(rnd, schema, childType, 5, budget);
      const one = asked.length === 1 && rnd.chance(0.5);
      const query = one
        ? `query Fuzz($n: ID!) { r: child(nhsNumber: $n) { ${selection} } } ${budget.fragments.join(' ')}`
        : `query Fuzz($n: [ID!]!) { r: children(nhsNumbers: $n) { ${selection} } } ${budget.fragments.join(' ')}`;
      const full = `${label}\n  ${query}`;
      const got = await send(persona, purpose, query, { n: one ? asked[0]!.nhsNumber : asked.map((c) => c.nhsNumber) });
      answered.push({ requestId: got.requestId, user: persona.id, label: full });
      if (got.status >= 500) problems.push(`${full}\n  → HTTP ${got.status}: ${JSON.stringify(got.body.errors)}`);
      const distinct = new Set(asked.map((c) => c.nhsNumber)).size;
      // Break-glass is for one child: a request naming more is refused whole (DESIGN section 4).
      if (purpose === 'EMERGENCY' && distinct > 1 && (got.status !== 403 || got.body.data))
        problems.push(`${full}\n  → break-glass over ${distinct} children answered HTTP ${got.status}`);
      const document = parse(query);
      const fragments = new Map(
        document.definitions
          .filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d.selectionSet]),
      );
      const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
      const root = operation.selectionSet.selections[0] as FieldNode;
      const disclosed = new Set<string>();
      const answers = one ? [got.body.data?.r ?? null] : ((got.body.data?.r as unknown[] | undefined) ?? []);
      asked.forEach((child, i) =>
        checkChild(persona, purpose, child, root.selectionSet!, fragments, answers[i] ?? null, full, disclosed),
      );
      if (disclosed.size > 0)
        checked.push({ requestId: got.requestId ?? '', user: persona.id, disclosed, label: full });
    };
    /** What the gateway says about a child beyond its fields: decisions not to share, and explanations. */
    const telling = async (persona: Persona, purpose: string, child: Child, label: string) => {
      const attrs = truthOf(persona, purpose, child);
      const shut = purpose === 'IG_AUDIT' || (attrs.relationship === 'NONE' && purpose !== 'EMERGENCY');
      if (rnd.chance(0.5)) {
        const query = `query($n: ID!) { r: sharingDecisions(nhsNumber: $n) { agency reason fields classes decidedAt } }`;
        const got = await send(persona, purpose, query, { n: child.nhsNumber });
        answered.push({ requestId: got.requestId, user: persona.id, label: `${label} sharingDecisions` });
        const listed = (got.body.data?.r ?? null) as Record<string, unknown>[] | null;
        if (shut && listed) problems.push(`${label} sharingDecisions\n  → answered without a relationship`);
        for (const d of listed ?? []) {
          if (d.agency === persona.agency) continue;
          if (persona.role === 'SCHOOL_DSL') problems.push(`${label}\n  → a DSL was told of ${d.agency}'s decision`);
          if (d.reason !== null || d.fields !== null || d.classes !== null || d.decidedAt !== null)
            problems.push(`${label}\n  → told the content of ${d.agency}'s decision: ${JSON.stringify(d)}`);
        }
      } else {
        const query = `query($n: ID!) { r: accessExplanation(nhsNumber: $n) { relationship purposeSupported } }`;
        const got = await send(persona, purpose, query, { n: child.nhsNumber });
        answered.push({ requestId: got.requestId, user: persona.id, label: `${label} accessExplanation` });
        const said = got.body.data?.r as { purposeSupported: boolean | null } | null | undefined;
        if (shut && said) problems.push(`${label} accessExplanation\n  → answered without a relationship`);
        const mayReadStage = referenceAllows(
          { role: persona.role, agency: persona.agency },
          purpose,
          { class: 'SAFEGUARDING', owner: 'social-care' },
          attrs,
          'MacptCase.stage',
        );
        if (said && said.purposeSupported !== null && !mayReadStage)
          problems.push(`${label} accessExplanation\n  → told whether the case supports ${purpose} without the stage`);
      }
    };

    /** Whether a decision not to share by `agency` covers `coordinate` of the child (as the reference reads them). */
    const notSharedBy = (child: Child, agency: string, coordinate: string) =>
      truthNotShared(child).some(
        (d) =>
          d.agency === agency &&
          (d.fields.includes(coordinate) || d.classes.includes(FIELD.get(coordinate)?.class ?? '')),
      );
    /** An LA's overdue list: for its LCPP; each late item says its child had the event, decided as that field. */
    const overdue = async (persona: Persona, purpose: string, label: string) => {
      const got = await send(persona, purpose, `{ r: overdueNotifications { nhsNumber rule event agency } }`, {});
      answered.push({ requestId: got.requestId, user: persona.id, label: `${label} overdueNotifications` });
      const items = (got.body.data?.r ?? null) as
        | { nhsNumber: string; rule: string; event: string; agency: string }[]
        | null;
      if (items && (persona.role !== 'LCPP' || purpose === 'IG_AUDIT'))
        problems.push(`${label} overdueNotifications\n  → answered a ${persona.role} under ${purpose}`);
      const disclosed = new Set<string>();
      for (const item of items ?? []) {
        const child = byNhs.get(item.nhsNumber)!;
        const subject = RULES.find((r) => r.id === item.rule)?.events[item.event] ?? '';
        const field = FIELD.get(subject);
        const allowed =
          field &&
          householdOf(child).la === persona.la &&
          referenceAllows(
            { role: persona.role, agency: persona.agency },
            purpose,
            { class: field.class, owner: field.owner },
            truthOf(persona, purpose, child),
            subject,
          );
        if (!allowed) problems.push(`${label} overdueNotifications\n  → told that ${item.nhsNumber} had ${item.event}`);
        disclosed.add(subject);
      }
      if (disclosed.size > 0)
        checked.push({
          requestId: got.requestId ?? '',
          user: persona.id,
          disclosed,
          label: `${label} overdueNotifications`,
        });
    };
    /** A reader's inbox, as read: only items addressed to them, decided again as they are read, never a location. */
    const inbox = async (persona: Persona, purpose: string, label: string) => {
      const got = await send(
        persona,
        purpose,
        `{ r: notifications(first: 50) { items { nhsNumber rule event agency recipient fields { name } } } }`,
        {},
      );
      answered.push({ requestId: got.requestId, user: persona.id, label: `${label} notifications` });
      type Item = {
        nhsNumber: string;
        rule: string;
        event: string;
        agency: string;
        recipient: string;
        fields: { name: string }[];
      };
      const items = (got.body.data?.r?.items ?? null) as Item[] | null;
      if (items && (persona.role === 'IG_LEAD' || purpose === 'IG_AUDIT'))
        problems.push(`${label} notifications\n  → an inbox read by ${persona.role} under ${purpose}`);
      const disclosed = new Set<string>();
      for (const item of items ?? []) {
        const rule = RULES.find((r) => r.id === item.rule)!;
        const mine =
          item.recipient === `user:${persona.id}` ||
          (item.recipient.startsWith(`role:${persona.role}:`) &&
            (!persona.la || item.recipient.startsWith(`role:${persona.role}:${persona.la}:`)));
        if (!mine) problems.push(`${label} notifications\n  → read an item addressed to ${item.recipient}`);
        const coordinates = [rule.events[item.event]!, ...item.fields.map((f) => rule.fields[f.name]!)];
        for (const coordinate of coordinates) {
          if (FIELD.get(coordinate)?.location)
            problems.push(`${label} notifications\n  → a location travelled: ${coordinate}`);
          if (persona.agency !== item.agency && notSharedBy(byNhs.get(item.nhsNumber)!, item.agency, coordinate))
            problems.push(`${label} notifications\n  → told ${coordinate} that ${item.agency} decided not to share`);
          disclosed.add(coordinate);
        }
      }
      if (disclosed.size > 0)
        checked.push({ requestId: got.requestId ?? '', user: persona.id, disclosed, label: `${label} notifications` });
    };

    let cases = 0;
    for (; cases < MAX_CASES && Date.now() - started < MAX_MS; cases++) {
      const persona = rnd.pick(personas);
      const purpose = rnd.pick(PURPOSES);
      const child = rnd.pick(pool);
      const label = `case ${cases} (FUZZ_SEED=${SEED}): ${persona.id} ${purpose} ${child.nhsNumber}`;
      const mode = rnd.pick(['one', 'one', 'batch', 'concurrent', 'telling', 'notified'] as const);
      if (mode === 'one') await fieldQuery(persona, purpose, [child], label);
      else if (mode === 'batch') {
        // Often with its household: one child's facts must decide nothing about another's.
        const mates = householdOf(child).children.filter((c) => c !== child);
        const more = Array.from({ length: rnd.int(1, 3) }, () =>
          mates.length && rnd.chance(0.6) ? rnd.pick(mates) : rnd.pick(pool),
        );
        await fieldQuery(persona, purpose, [child, ...more], `${label} batch`);
      } else if (mode === 'concurrent') {
        // Another user, at the same moment, about a child of the same household (or any).
        const mates = householdOf(child).children;
        const other = rnd.pick(personas);
        const otherPurpose = rnd.pick(PURPOSES);
        await Promise.all([
          fieldQuery(persona, purpose, [child], `${label} concurrent`),
          fieldQuery(other, otherPurpose, [rnd.pick(mates)], `${label} concurrent with ${other.id} ${otherPurpose}`),
        ]);
      } else if (mode === 'telling') await telling(persona, purpose, child, label);
      else {
        // Mostly someone the rules address, sometimes anyone: the overdue list or the inbox, as read.
        const reader = rnd.chance(0.7) ? rnd.pick(addressed) : persona;
        const as = `case ${cases} (FUZZ_SEED=${SEED}): ${reader.id} ${purpose}`;
        await (rnd.chance(0.5) ? overdue(reader, purpose, as) : inbox(reader, purpose, as));
      }
    }
    expect(cases).toBeGreaterThan(50);
    expect(checked.length).toBeGreaterThan(20);
    // The new doors were drawn and said something: a fuzzer that never reaches them cannot fail on them.
    expect(checked.filter((c) => c.label.endsWith('overdueNotifications')).length).toBeGreaterThan(0);
    expect(
      checked.filter((c) => c.label.endsWith('notifications') && !c.label.endsWith('overdueNotifications')).length,
    ).toBeGreaterThan(0);
    // Every disclosed field must appear in the response's disclosure record.
    const records = new Map<string, Set<string>>();
    const recorded = new Set<string>();
    for (const userId of new Set(answered.map((c) => c.user))) {
      let after: string | null = null;
      for (;;) {
        const page: { data?: any } = await gql(
          stack.gatewayUrl,
          `query($u: ID, $after: String) { disclosures(first: 200, after: $after, filter: { userId: $u }) { records { requestId children { disclosed { fields } } } endCursor hasNextPage } }`,
          { u: userId, after },
          headers(await stack.tokenFor(`ig-${stack.personas.find((p) => p.id === userId)!.agency}`), 'IG_AUDIT'),
        );
        for (const r of page.data.disclosures.records) recorded.add(r.requestId);
        for (const r of page.data.disclosures.records)
          records.set(
            r.requestId,
            new Set(
              r.children.flatMap((c: { disclosed: { fields: string[] }[] }) => c.disclosed.flatMap((d) => d.fields)),
            ),
          );
        if (!page.data.disclosures.hasNextPage) break;
        after = page.data.disclosures.endCursor;
      }
    }
    // Every response, refused or not, names its record, and the record exists.
    for (const a of answered)
      if (!a.requestId || !recorded.has(a.requestId))
        problems.push(`${a.label}\n  → no disclosure record for request ${a.requestId}`);
    for (const c of checked) {
      const fields = records.get(c.requestId);
      const missing = [...c.disclosed].filter((f) => !fields?.has(f));
      if (missing.length) problems.push(`${c.label}\n  → disclosed but not recorded: ${missing.join(', ')}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
