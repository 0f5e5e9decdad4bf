import { randomUUID } from 'node:crypto';
import type { PolicyEngine } from '@macpt/policies';
import type { DisclosureSummary } from '../policy/enforce.js';
import type { ChildLedger } from './ledger.js';
import type { ChildDisclosure, Outcome, RecordDraft, RecordKind } from './record.js';

/** Who asked, why, and with what: the request-level part of every record. */
export interface RequestFacts {
  requestId: string;
  user: { id: string; role: string; agency: string; la: string | null } | null;
  purpose: string | null;
  justification: string | null;
  breakGlass: boolean;
  operationName: string | null;
  operationHash: string | null;
  clientName: string | null;
}

/** A record draft for a request. */
export function draft(
  kind: RecordKind,
  request: RequestFacts,
  outcome: Outcome,
  extra: Partial<RecordDraft> = {},
): RecordDraft {
  return {
    id: randomUUID(),
    kind,
    time: new Date().toISOString(),
    requestId: request.requestId,
    user: request.user
      ? { id: request.user.id, role: request.user.role, agency: request.user.agency, la: request.user.la }
      : null,
    purpose: request.purpose,
    justification: request.justification,
    breakGlass: request.breakGlass,
    operation: { name: request.operationName, hash: request.operationHash },
    clientName: request.clientName,
    outcome,
    reason: null,
    children: [],
    agencies: [],
    ...extra,
  };
}

/**
 * Sorts a short list in place (insertion sort): a child's fields from one agency are a handful, and
 * V8's `sort` allocates about a kilobyte a call even for five, once per child and agency of every record.
 */
function sortFew<T>(items: T[], before: (a: T, b: T) => boolean): T[] {
  if (items.length > 32) return items.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    for (; j >= 0 && before(item, items[j]!); j--) items[j + 1] = items[j]!;
    items[j + 1] = item;
  }
  return items;
}

/** A node of the walk of children's disclosures: next by agency, next by field, and the disclosure ending here. */
interface Shape {
  agency?: Map<string, Shape>;
  field?: Map<string, Shape>;
  disclosure?: Pick<ChildDisclosure, 'disclosed' | 'lawfulBasis'>;
}

function step(edges: Map<string, Shape>, key: string): Shape {
  let next = edges.get(key);
  if (!next) edges.set(key, (next = {}));
  return next;
}

/** One shape's disclosure: fields sorted per agency, with each agency's lawful basis, frozen (children share it). */
function disclosureOf(
  agencies: ReadonlyMap<string, ReadonlySet<string>>,
  engine: PolicyEngine,
): Pick<ChildDisclosure, 'disclosed' | 'lawfulBasis'> {
  const disclosed: Record<string, string[]> = {};
  const lawfulBasis: Record<string, string> = {};
  for (const [agency, fields] of agencies) {
    disclosed[agency] = Object.freeze(sortFew([...fields], (a, b) => a < b)) as string[];
    const basis = engine.lawfulBasis(agency);
    if (basis) lawfulBasis[agency] = basis;
  }
  return { disclosed: Object.freeze(disclosed), lawfulBasis: Object.freeze(lawfulBasis) };
}

/** The child's own copy of a disclosure it shares with others, before adding to it. */
function ownDisclosure(c: ChildDisclosure): ChildDisclosure {
  if (Object.isFrozen(c.disclosed)) c.disclosed = { ...c.disclosed };
  if (Object.isFrozen(c.lawfulBasis)) c.lawfulBasis = { ...c.lawfulBasis };
  return c;
}

/**
 * Per child, what the final policy check found and what the request's ledger holds: children let in
 * (their existence is itself disclosed), refused at a door (with the rule), and told about by the gateway.
 */
export function childDisclosures(
  summary: DisclosureSummary | undefined,
  ledger: Pick<ChildLedger, 'admitted' | 'refused' | 'told'>,
  engine: PolicyEngine,
): ChildDisclosure[] {
  const { admitted: entered, refused, told: sharedByGateway } = ledger;
  const out = new Map<string, ChildDisclosure>();
  const entry = (nhsNumber: string) => {
    let c = out.get(nhsNumber);
    if (!c) out.set(nhsNumber, (c = { nhsNumber, disclosed: {}, withheld: [], lawfulBasis: {} }));
    return c;
  };
  // Children disclosed alike (a caseload's hundred children are a handful of shapes) share one frozen
  // disclosure and lawful basis, found by walking their fields in the order the final check met them and
  // built once per shape; the record then interns each shape once (record.ts).
  const shapes: Shape = {};
  for (const [nhsNumber, agencies] of summary?.disclosed ?? []) {
    let at = shapes;
    for (const [agency, fields] of agencies) {
      at = step((at.agency ??= new Map()), agency);
      for (const field of fields) at = step((at.field ??= new Map()), field);
    }
    at.disclosure ??= disclosureOf(agencies, engine);
    const c = entry(nhsNumber);
    c.disclosed = at.disclosure.disclosed;
    c.lawfulBasis = at.disclosure.lawfulBasis;
  }
  for (const [nhsNumber, fields] of summary?.withheld ?? []) {
    if (!nhsNumber) continue;
    const c = entry(nhsNumber);
    for (const [field, w] of fields) c.withheld.push({ field, agency: w.agency, rule: w.rule, class: w.class });
    sortFew(c.withheld, (a, b) => a.field.localeCompare(b.field) < 0);
  }
  for (const shared of sharedByGateway) {
    const c = ownDisclosure(entry(shared.nhsNumber));
    c.disclosed[shared.agency] = [...new Set([...(c.disclosed[shared.agency] ?? []), ...shared.fields])].sort();
    const basis = engine.lawfulBasis(shared.agency);
    if (basis) c.lawfulBasis[shared.agency] = basis;
  }
  for (const r of refused)
    entry(r.nhsNumber).withheld.push({ field: 'Query.child', agency: 'gateway', rule: r.rule, class: 'IDENTITY' });
  for (const nhsNumber of entered) {
    const c = entry(nhsNumber);
    if (Object.keys(c.disclosed).length === 0) ownDisclosure(c).disclosed.gateway = ['Child.nhsNumber'];
  }
  return [...out.values()].sort((a, b) => a.nhsNumber.localeCompare(b.nhsNumber));
}

/** The outcome recorded for a request refused with this error code: one mapping for every refusal. */
export function refusalOutcome(code: string): Outcome {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'RATE_LIMITED':
    case 'NOT_FOUND':
      return code;
    case 'BREAK_GLASS_NOT_PERMITTED':
    case 'BREAK_GLASS_ONE_CHILD':
      return 'BREAK_GLASS_REFUSED';
    case 'FORBIDDEN_BY_POLICY':
      return 'WITHHELD';
    default:
      return 'BAD_REQUEST';
  }
}

/** Entry refusals that are not about what the policy withholds: the identifier was malformed or unknown. */
const IDENTIFIER_REFUSALS = new Set(['BAD_USER_INPUT', 'NOT_FOUND']);

/**
 * DISCLOSED when nothing was withheld, WITHHELD when nothing was disclosed, PARTIAL otherwise; when
 * nothing was disclosed and every refusal was of a malformed or unknown identifier, BAD_REQUEST or NOT_FOUND.
 */
export function outcomeOf(children: readonly ChildDisclosure[]): Outcome {
  const disclosed = children.some((c) => Object.keys(c.disclosed).length > 0);
  const withheld = children.some((c) => c.withheld.length > 0);
  if (disclosed) return withheld ? 'PARTIAL' : 'DISCLOSED';
  const rules = new Set(children.flatMap((c) => c.withheld.map((w) => w.rule)));
  const only = rules.size === 1 ? [...rules][0]! : undefined;
  return only && IDENTIFIER_REFUSALS.has(only) ? refusalOutcome(only) : 'WITHHELD';
}

/** Agencies whose data a record concerns. */
export function agenciesOf(children: readonly ChildDisclosure[]): string[] {
  const set = new Set<string>();
  for (const c of children) {
    for (const a of Object.keys(c.disclosed)) set.add(a);
    for (const w of c.withheld) set.add(w.agency);
  }
  for (const internal of ['gateway', 'shared']) set.delete(internal);
  return [...set].sort();
}
