import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AGENCIES } from './policy-file.js';

export const RECIPIENTS = ['NAMED_WORKERS', 'LCPP_OF_LA', 'SCHOOL_DSL', 'MACPT_HEALTH_OF_LA'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

const rule = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  name: z.string().min(5),
  agency: z.enum(AGENCIES),
  events: z.array(z.string().regex(/^[a-z][a-z-]*$/)).min(1),
  when: z.enum(['always', 'child-on-cp-plan', 'child-present']),
  to: z.array(z.enum(RECIPIENTS)).min(1),
  fields: z.array(z.string().regex(/^[a-z][A-Za-z]*$/)).min(1),
  due: z.union([
    z.strictObject({ hours: z.number().int().positive() }),
    z.strictObject({ nextSchoolDayAt: z.string().regex(/^\d{2}:\d{2}$/) }),
  ]),
  lawfulBasis: z.string().min(10),
});
export type NotificationRule = z.infer<typeof rule>;

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
    const location = r.fields.find((f) => LOCATION_FIELDS.has(f));
    if (location) throw new Error(`${file}: rule ${r.id} lists ${location}: no location travels in a notification`);
  }
  return parsed.data.rules;
}

/** The partnership's notification rules as shipped (`policies/notifications/rules.yaml`). */
export const NOTIFICATION_RULES_FILE = fileURLToPath(new URL('../notifications/rules.yaml', import.meta.url));
export const loadNotificationRules = (file = NOTIFICATION_RULES_FILE) =>
  parseNotificationRules(readFileSync(file, 'utf8'), file);
