import { hash as digest } from 'node:crypto';
import { PartIds } from './interning.js';

/** Why a record was written. */
export type RecordKind =
  | 'DISCLOSURE'
  | 'REFUSAL'
  | 'IG_QUERY'
  | 'BREAK_GLASS_REVIEW'
  | 'LOG_RECOVERY'
  | 'SCHEMA_CHANGE'
  | 'NOTIFICATION'
  | 'SHARING_DECISION';

/** What happened to the request. */
export type Outcome =
  | 'DISCLOSED'
  | 'PARTIAL'
  | 'WITHHELD'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'BAD_REQUEST'
  | 'BREAK_GLASS_REFUSED'
  | 'RATE_LIMITED'
  | 'REVIEWED'
  | 'RECOVERED'
  | 'PUBLISHED'
  | 'PENDING_APPROVAL'
  | 'APPROVED'
  | 'REJECTED'
  | 'NOT_STORED'
  | 'RECORDED'
  | 'KEPT'
  | 'WITHDRAWN'
  | 'REFUSED'
  /** Answered, and the answer said nothing about any child (an empty inbox or list): on the record all the same. */
  | 'NOTHING_DISCLOSED';

/** What one response disclosed about one child: field names only, never values. */
export interface ChildDisclosure {
  nhsNumber: string;
  /** Agency → `Type.field` coordinates released. */
  disclosed: Record<string, string[]>;
  withheld: { field: string; agency: string; rule: string; class: string }[];
  /** Agency → lawful basis it shared under. */
  lawfulBasis: Record<string, string>;
}

/** The fields of a record as the gateway builds it, before the store chains it. */
export interface RecordDraft {
  id: string;
  kind: RecordKind;
  time: string;
  requestId: string;
  user: { id: string; role: string; agency: string; la: string | null } | null;
  purpose: string | null;
  justification: string | null;
  breakGlass: boolean;
  operation: { name: string | null; hash: string | null };
  clientName: string | null;
  outcome: Outcome;
  /** The error code of a refusal. */
  reason: string | null;
  children: ChildDisclosure[];
  /** Agencies whose data the response disclosed or withheld: an agency's IG lead sees these records. */
  agencies: string[];
  /** Agencies that did not answer this request (their fields are missing, not empty): for IG and the partnership figures. */
  unavailable?: string[];
  /** For IG queries: what was asked (filters, the subject of a subject-access report). */
  query?: Record<string, unknown>;
  /** For a break-glass review: which record, and the IG lead's decision. */
  review?: { recordId: string; outcome: string; note: string };
  /** For a schema change: the publication, its hashes, and what it makes visible or stops showing. */
  schemaChange?: {
    publicationId: string;
    agency: string;
    schemaHash: string;
    policyHash: string;
    status: string;
    /** One line per field whose visibility changes: `+HealthRecord.x to 12 audiences` / `-…`. */
    impact: string[];
    note?: string;
  };
  /** For a decision not to share: which decision, the step taken and its terms (never the data it covers). */
  sharingDecision?: {
    id: string;
    agency: string;
    nhsNumber: string;
    action: 'RECORD' | 'KEEP' | 'WITHDRAW';
    fields: string[];
    classes: string[];
    reason: string | null;
    reasonText: string | null;
    reviewBy: string | null;
    note: string | null;
  };
}

/** A record as readers see it: numbered and hash-chained to its predecessor, each child with its fields. */
export interface DisclosureRecord extends RecordDraft {
  seq: number;
  prevHash: string;
  hash: string;
}

/** What one response disclosed and withheld about one child, without the child: interned once, referred to by id. */
export type ChildFields = Omit<ChildDisclosure, 'nhsNumber'>;

/** The request-level facts many records share: who asked, in what role, why, how, and what came of it. */
export interface RecordContext {
  kind: RecordKind;
  user: RecordDraft['user'];
  purpose: string | null;
  breakGlass: boolean;
  operation: RecordDraft['operation'];
  clientName: string | null;
  outcome: Outcome;
  agencies: string[];
}

/** What a stored record refers to by id rather than repeating: a child's fields, or the request's context. */
export type FieldSet = ChildFields | RecordContext;

/**
 * A record as stored and hashed (format 2). Each child is named once, as `[nhsNumber, field set id]`, and
 * the request's context (user, purpose, operation, outcome, agencies) is one more id, `c`. Each part is
 * kept once in the store however many records refer to it (a caseload that disclosed the same fields for
 * 500 children stores that set once; a user's ten thousand views of one kind share one context), and its id
 * is a hash of its content, so the record's hash still covers every fact. Records of format 1 (everything
 * inline) are read and verified as they were written.
 */
export interface StoredRecord extends Omit<RecordDraft, 'children' | keyof RecordContext> {
  v: 2;
  c: string;
  children: [nhsNumber: string, set: string][];
  seq: number;
  prevHash: string;
  hash: string;
}

/** A record as read from a store: format 2, or format 1 as written before. */
export type AnyStoredRecord = StoredRecord | DisclosureRecord;

/** The id of an interned part: the first 128 bits of SHA-256 over its canonical encoding, base64url. */
export function fieldSetId(set: FieldSet): string {
  return digest('sha256', canonical(set), 'buffer').subarray(0, 16).toString('base64url');
}

/**
 * {@link fieldSetId} of a part the gateway built, remembered (see {@link PartIds}), computed from the part's
 * JSON as it reads back: what the store holds and verification hashes.
 */
const partIds = new PartIds((json) => fieldSetId(JSON.parse(json) as FieldSet));

/** A chained record in both forms, with the parts it refers to. */
export interface Chained {
  record: DisclosureRecord;
  stored: StoredRecord;
  /** The stored record as JSON, as written: its canonical encoding, with its hash last. */
  json: string;
  sets: Map<string, FieldSet>;
}

/** Looks up an interned part by id. */
export type SetLookup = (id: string) => FieldSet | undefined;

const isContext = (part: FieldSet): part is RecordContext => 'outcome' in part;

/** The request context a stored record (format 2) names; throws when the log does not hold it. */
export function contextOf(stored: StoredRecord, sets: SetLookup): RecordContext {
  const context = sets(stored.c);
  if (!context || !isContext(context))
    throw new Error(`record seq ${stored.seq} names context ${stored.c}, which the log does not hold`);
  return context;
}

/** The reader's form of a stored record; throws when a part it names is missing. */
export function expand(stored: AnyStoredRecord, sets: SetLookup): DisclosureRecord {
  if (!('v' in stored)) return stored;
  const context = contextOf(stored, sets);
  const { v: _format, c: _context, children, ...rest } = stored;
  return {
    ...rest,
    ...context,
    children: children.map(([nhsNumber, id]) => {
      const set = sets(id);
      if (!set || isContext(set))
        throw new Error(`record seq ${stored.seq} names field set ${id}, which the log does not hold`);
      return { nhsNumber, ...set };
    }),
  };
}

/** Part ids a stored record names: its context and its children's field sets. */
export function setIdsOf(stored: AnyStoredRecord): string[] {
  return 'v' in stored ? [stored.c, ...stored.children.map(([, id]) => id)] : [];
}

/** The hash of the empty chain, which the first record points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** A member JSON leaves out of an object (and writes as null in an array). */
const unwritten = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * A canonical JSON encoding: keys sorted at every level (by UTF-16 code units), and otherwise what
 * `JSON.stringify` writes (undefined, function and symbol members left out of objects and null in arrays,
 * `toJSON` honoured), so the same record always hashes the same and the text is the JSON that reads back.
 * Written as one pass of string building: a caseload's record names hundreds of children, and this runs for
 * every record written and verified.
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return canonical((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonical(value[i]);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = obj[key];
    if (unwritten(member)) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonical(member)}`;
    first = false;
  }
  return `${out}}`;
}

/** SHA-256 over the canonical encoding of everything but the hash itself (the predecessor's hash included). */
export function hashOf(record: Omit<AnyStoredRecord, 'hash'>): string {
  return digest('sha256', canonical(record), 'hex');
}

/**
 * A stored record's members in canonical (sorted) order: every member a {@link StoredRecord} may have.
 * {@link storedText} writes them in this order, which is what {@link canonical} would write.
 */
const STORED_MEMBERS = [
  'c',
  'children',
  'id',
  'justification',
  'prevHash',
  'query',
  'reason',
  'requestId',
  'review',
  'schemaChange',
  'seq',
  'sharingDecision',
  'time',
  'unavailable',
  'v',
] as const satisfies readonly (keyof Omit<StoredRecord, 'hash'>)[];
/** Compiles only while {@link STORED_MEMBERS} names every member of a stored record: one added later is not dropped. */
const everyMember: Exclude<keyof Omit<StoredRecord, 'hash'>, (typeof STORED_MEMBERS)[number]> extends never
  ? true
  : never = true;
void everyMember;

/**
 * {@link canonical} of a stored record (without its hash), written member by member in the known order
 * instead of sorting its keys: this runs for every record appended. Verification hashes what it reads
 * with {@link canonical} itself, so a difference between the two would show as a broken chain.
 */
function storedText(linked: Omit<StoredRecord, 'hash'>): string {
  let out = '{';
  for (const key of STORED_MEMBERS) {
    const member = linked[key];
    if (unwritten(member)) continue;
    out += `${out.length > 1 ? ',' : ''}"${key}":${canonical(member)}`;
  }
  return `${out}}`;
}

/**
 * Chains drafts after `head`: numbers them, links each to the one before, and interns their field sets.
 * A record holds the members a {@link RecordDraft} has; anything else on a draft is not kept.
 */
export function chain(drafts: readonly RecordDraft[], head: { seq: number; hash: string }): Chained[] {
  let { seq, hash } = head;
  const chained: Chained[] = new Array(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    const draft = drafts[i]!;
    const sets = new Map<string, FieldSet>();
    const context: RecordContext = {
      kind: draft.kind,
      user: draft.user,
      purpose: draft.purpose,
      breakGlass: draft.breakGlass,
      operation: draft.operation,
      clientName: draft.clientName,
      outcome: draft.outcome,
      agencies: draft.agencies,
    };
    const c = partIds.id(context);
    sets.set(c, context);
    const refs: [string, string][] = new Array(draft.children.length);
    // Children that share one disclosure and lawful basis (see childDisclosures) and withheld nothing share one
    // field set: the very same objects, read within this loop, have the same content.
    const alike = new Map<object, { lawfulBasis: object; id: string }>();
    for (let k = 0; k < draft.children.length; k++) {
      const child = draft.children[k]!;
      const shared = child.withheld.length === 0;
      const known = shared ? alike.get(child.disclosed) : undefined;
      let id: string;
      if (known && known.lawfulBasis === child.lawfulBasis) id = known.id;
      else {
        const set: ChildFields = {
          disclosed: child.disclosed,
          withheld: child.withheld,
          lawfulBasis: child.lawfulBasis,
        };
        id = partIds.id(set);
        sets.set(id, set);
        if (shared) alike.set(child.disclosed, { lawfulBasis: child.lawfulBasis, id });
      }
      refs[k] = [child.nhsNumber, id];
    }
    const prevHash = hash;
    const linked: Omit<StoredRecord, 'hash'> = {
      v: 2,
      id: draft.id,
      time: draft.time,
      requestId: draft.requestId,
      justification: draft.justification,
      reason: draft.reason,
      unavailable: draft.unavailable,
      query: draft.query,
      review: draft.review,
      schemaChange: draft.schemaChange,
      sharingDecision: draft.sharingDecision,
      c,
      children: refs,
      seq: ++seq,
      prevHash,
    };
    const text = storedText(linked);
    hash = digest('sha256', text, 'hex');
    const stored: StoredRecord = { ...linked, hash };
    const record: DisclosureRecord = {
      id: draft.id,
      kind: draft.kind,
      time: draft.time,
      requestId: draft.requestId,
      user: draft.user,
      purpose: draft.purpose,
      justification: draft.justification,
      breakGlass: draft.breakGlass,
      operation: draft.operation,
      clientName: draft.clientName,
      outcome: draft.outcome,
      reason: draft.reason,
      children: draft.children,
      agencies: draft.agencies,
      unavailable: draft.unavailable,
      query: draft.query,
      review: draft.review,
      schemaChange: draft.schemaChange,
      sharingDecision: draft.sharingDecision,
      seq,
      prevHash,
      hash,
    };
    chained[i] = { record, stored, sets, json: `${text.slice(0, -1)},"hash":"${hash}"}` };
  }
  return chained;
}

/** Where the chain first breaks, or null when every record links to its predecessor and hashes true. */
export function firstBreak(record: AnyStoredRecord, previous: { seq: number; hash: string }): string | null {
  const { hash, ...rest } = record;
  if (record.prevHash !== previous.hash)
    return `record seq ${record.seq} (${record.id}) does not link to its predecessor (seq ${previous.seq}): a record was deleted, inserted or reordered before it`;
  if (record.seq !== previous.seq + 1)
    return `record seq ${record.seq} (${record.id}) follows seq ${previous.seq}: the numbering has a gap`;
  if (hashOf(rest) !== hash)
    return `record seq ${record.seq} (${record.id}) was altered: its content does not match its hash`;
  return null;
}
