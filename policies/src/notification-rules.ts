import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AGENCIES } from './policy-file.js';
import type { PolicyUser } from './relationship.js';
import { AGENCIES_OF_ROLE, type Role } from './vocabulary.js';

export const RECIPIENTS = [
  'NAMED_WORKERS',
  'NAMED_MACPT_HEALTH',
  'NAMED_LCPP',
  'LCPP_OF_LA',
  'SCHOOL_DSL',
  'MACPT_HEALTH_OF_LA',
] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/**
 * Who each kind of recipient is: the workers named on the child's open case (perhaps of one role only),
 * or whoever holds a role in the child's LA (from the open case) or school (from the roll). Being a
 * recipient is not being told: each is told only what the policies let them read (see the engine).
 */
export const RECIPIENT_KINDS: Readonly<
  Record<Recipient, { named: true; role?: Role } | { named: false; role: Role; of: 'la' | 'school' }>
> = {
  NAMED_WORKERS: { named: true },
  NAMED_MACPT_HEALTH: { named: true, role: 'MACPT_HEALTH' },
  NAMED_LCPP: { named: true, role: 'LCPP' },
  LCPP_OF_LA: { named: false, role: 'LCPP', of: 'la' },
  MACPT_HEALTH_OF_LA: { named: false, role: 'MACPT_HEALTH', of: 'la' },
  SCHOOL_DSL: { named: false, role: 'SCHOOL_DSL', of: 'school' },
};

const coordinate = z.string().regex(/^[A-Z][A-Za-z0-9_]*\.[a-z_][A-Za-z0-9_]*$/, 'expected Type.field');

const rule = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  name: z.string().min(5),
  agency: z.enum(AGENCIES),
  /** Each event kind, with the published field (`Type.field`) it is a record of. */
  events: z
    .record(z.string().regex(/^[a-z][a-z-]*$/), coordinate)
    .refine((e) => Object.keys(e).length > 0, 'name at least one event'),
  when: z.enum(['always', 'child-on-cp-plan', 'child-present']),
  to: z.array(z.enum(RECIPIENTS)).min(1),
  /** Each field a recipient may receive, with the published field whose policy decides it. */
  fields: z
    .record(z.string().regex(/^[a-z][A-Za-z]*$/), coordinate)
    .refine((f) => Object.keys(f).length > 0, 'name at least one field'),
  due: z.union([
    z.strictObject({ hours: z.number().int().positive() }),
    z.strictObject({ nextSchoolDayAt: z.string().regex(/^\d{2}:\d{2}$/) }),
  ]),
  lawfulBasis: z.string().min(10),
});
export type NotificationRule = z.infer<typeof rule>;

/** What an event and its child must be for a rule's `when` to hold: the child's case stage and the event's detail. */
const WHEN: Record<NotificationRule['when'], (stage: string | null, detail: Record<string, unknown>) => boolean> = {
  always: () => true,
  'child-on-cp-plan': (stage) => stage === 'CP_PLAN',
  'child-present': (_, detail) => detail.childPresent === true,
};

/** Whether a rule applies to an event: its `when` holds for the child's case stage (null: no open case) and the event's detail. */
export function ruleApplies(rule: NotificationRule, stage: string | null, detail: Record<string, unknown>): boolean {
  return WHEN[rule.when](stage, detail);
}

/** Fields that place a household: never in a notification, whatever a rule lists. */
export const LOCATION_FIELDS: ReadonlySet<string> = new Set(['address', 'postcode', 'location', 'uprn']);

/** Reads the notification rules (YAML), every problem named with its line. */
export function parseNotificationRules(text: string, file: string): NotificationRule[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new Error(`${file}:${lines.linePos(doc.errors[0]!.pos[0]).line}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const parsed = z.strictObject({ rules: z.array(rule) }).safeParse(doc.toJS());
  if (!parsed.success)
    throw new Error(
      `${file} is not a valid set of notification rules:\n${parsed.error.issues.map((i) => `  ${i.path.join(' › ')}: ${i.message}`).join('\n')}`,
    );
  for (const r of parsed.data.rules) {
    const location = Object.keys(r.fields).find((f) => LOCATION_FIELDS.has(f));
    if (location) throw new Error(`${file}: rule ${r.id} lists ${location}: no location travels in a notification`);
  }
  return parsed.data.rules;
}

/** The partnership's notification rules as shipped (`policies/notifications/rules.yaml`). */
export const NOTIFICATION_RULES_FILE = fileURLToPath(new URL('../notifications/rules.yaml', import.meta.url));
export const loadNotificationRules = (file = NOTIFICATION_RULES_FILE) =>
  parseNotificationRules(readFileSync(file, 'utf8'), file);

/** Where a notification is addressed: one user, or whoever holds a role (of an LA, of a school). */
export type NotificationAddress =
  | { kind: 'user'; id: string }
  | { kind: 'role'; role: string; la?: string; school?: string };

/**
 * The user a notification to `to` is decided for before anyone reads it: a named worker as the case
 * agency reports their role, or the holder of a role in an LA or school. Null when that cannot be known
 * (a named worker whose role the case does not give): such an address is told nothing.
 */
export function recipientUser(
  to: NotificationAddress,
  openCase: { la: string; namedWorkerRoles?: Record<string, string> } | null,
): PolicyUser | null {
  const role = (to.kind === 'user' ? openCase?.namedWorkerRoles?.[to.id] : to.role) as Role | undefined;
  const agencies = role ? AGENCIES_OF_ROLE[role] : undefined;
  if (!role || !agencies || agencies === 'ANY' || agencies.length !== 1) return null;
  if (to.kind === 'user') return { id: to.id, role, agency: agencies[0]!, la: openCase?.la ?? null };
  return { id: `role:${to.role}`, role, agency: agencies[0]!, la: to.la ?? null, school: to.school ?? null };
}
