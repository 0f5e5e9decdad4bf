import type { NotificationRule } from '@macpt/policies';

/** The offset of Europe/London from UTC at an instant, in minutes (0 in winter, 60 in summer). */
function londonOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - at.getTime()) / 60_000);
}

/**
 * When a notification is due: hours after the event, or a time (UK) on the next school day after the
 * event's UK date (Monday to Friday; school holidays are not known to the gateway).
 */
export function dueBy(rule: NotificationRule, occurredAt: string): string {
  const at = new Date(occurredAt);
  if ('hours' in rule.due) return new Date(at.getTime() + rule.due.hours * 3_600_000).toISOString();
  const [hh, mm] = rule.due.nextSchoolDayAt.split(':').map(Number) as [number, number];
  // The event's date in the UK, then the next weekday after it.
  const local = new Date(at.getTime() + londonOffsetMinutes(at) * 60_000);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  do day.setUTCDate(day.getUTCDate() + 1);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6);
  const naive = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hh, mm);
  return new Date(naive - londonOffsetMinutes(new Date(naive)) * 60_000).toISOString();
}
