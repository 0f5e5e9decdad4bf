import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { CLASSES, ROLES, type AgencyPolicy } from './vocabulary.js';

/** The agencies a policy file may speak for. */
export const AGENCIES = ['social-care', 'health', 'police', 'education', 'family-help'] as const;

const coordinate = z.string().regex(/^[A-Z][A-Za-z0-9_]*\.[a-z_][A-Za-z0-9_]*$/, 'expected Type.field');
const rule = z.union([
  z.enum(CLASSES),
  z.strictObject({
    class: z.enum(CLASSES),
    location: z.boolean().optional(),
    encompass: z.boolean().optional(),
    household: z.boolean().optional(),
  }),
]);

const fieldName = z.string().regex(/^[a-z_][A-Za-z0-9_]*$/, 'expected a field name');
const chronologySource = z.strictObject({
  kind: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected a kind in capitals, e.g. INCIDENT'),
  label: z.string().min(1),
  path: z
    .string()
    .regex(/^[a-z_][A-Za-z0-9_]*(\.[a-z_][A-Za-z0-9_]*)*$/, 'expected field names from Child, e.g. police.incidents'),
  date: fieldName,
  detail: z.array(fieldName).default([]),
});

/** What an agency's policy file holds (YAML), before it is compiled. */
const policyFile = z.strictObject({
  agency: z.enum(AGENCIES),
  lawfulBasis: z.string().min(10, 'state the lawful basis the agency shares under'),
  sensitiveRoles: z.array(z.enum(ROLES)),
  locationFlag: z.string().min(1).optional(),
  runsCases: z.boolean().optional(),
  caseStage: coordinate.optional(),
  holdsRolls: z.boolean().optional(),
  leadsFamilies: z.boolean().optional(),
  childLinks: z.record(z.string().regex(/^[A-Z][A-Za-z0-9_]*$/, 'expected a type name'), z.string().min(1)).optional(),
  fields: z.record(coordinate, rule).refine((f) => Object.keys(f).length > 0, 'list every field the agency publishes'),
  chronology: z
    .array(chronologySource)
    .refine((c) => new Set(c.map((s) => s.kind)).size === c.length, 'each chronology kind once')
    .optional(),
});

/** A policy file that cannot be read as a policy: each problem with its line and column. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number; column: number; message: string }[],
  ) {
    super(
      `${file} is not a valid sharing policy:\n${problems.map((p) => `  ${file}:${p.line}:${p.column}: ${p.message}`).join('\n')}`,
    );
  }
}

/** The node a validation problem points at (its key for a bad key, the deepest existing node otherwise). */
function nodeAt(doc: Document, path: readonly PropertyKey[], isKey: boolean): Node | null {
  let node: unknown = doc.contents;
  for (const [i, step] of path.entries()) {
    if (isSeq(node) && typeof step === 'number' && node.items[step]) {
      node = node.items[step];
      continue;
    }
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
    if (!pair) break;
    if (isKey && i === path.length - 1) return pair.key as Node;
    node = pair.value;
  }
  return (node as Node | null) ?? null;
}

/**
 * Reads an agency's sharing policy from its YAML text: validated against the policy schema, every
 * problem reported as `file:line:column: message`; compiled into exactly the {@link AgencyPolicy} the
 * engine takes.
 */
export function parseAgencyPolicy(text: string, file: string): AgencyPolicy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => lines.linePos(offset ?? 0);
  if (doc.errors.length > 0)
    throw new PolicyFileError(
      file,
      doc.errors.map((e) => {
        const pos = at(e.pos[0]);
        return { line: pos.line, column: pos.col, message: e.message.split('\n')[0]! };
      }),
    );
  const parsed = policyFile.safeParse(doc.toJS());
  if (!parsed.success)
    throw new PolicyFileError(
      file,
      parsed.error.issues.map((issue) => {
        // An unknown key is pointed at itself; a bad key (e.g. not Type.field) too; anything else at its value.
        const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
        const node = nodeAt(doc, path, issue.code === 'invalid_key' || issue.code === 'unrecognized_keys');
        const pos = at(node?.range?.[0]);
        const where = path.join(' › ') || '(top level)';
        // A bad record key carries the key's own problem inside (e.g. "expected Type.field").
        const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
        return { line: pos.line, column: pos.col, message: `${where}: ${message}` };
      }),
    );
  const p = parsed.data;
  return {
    agency: p.agency,
    lawfulBasis: p.lawfulBasis,
    sensitiveRoles: p.sensitiveRoles,
    ...(p.locationFlag ? { locationFlag: p.locationFlag } : {}),
    ...(p.runsCases ? { runsCases: true } : {}),
    ...(p.caseStage ? { caseStage: p.caseStage } : {}),
    ...(p.holdsRolls ? { holdsRolls: true } : {}),
    ...(p.leadsFamilies ? { leadsFamilies: true } : {}),
    ...(p.childLinks ? { childLinks: p.childLinks } : {}),
    ...(p.chronology
      ? { chronology: p.chronology.map((c) => ({ ...c, path: c.path.split('.'), detail: c.detail })) }
      : {}),
    fields: Object.fromEntries(
      Object.entries(p.fields).map(([field, r]) => [field, typeof r === 'string' ? { class: r } : r]),
    ),
  };
}

/** Reads and parses a policy file from disk (see {@link parseAgencyPolicy}). */
export function loadAgencyPolicy(file: string): AgencyPolicy {
  return parseAgencyPolicy(readFileSync(file, 'utf8'), file);
}
