import { weekOf, type WeekCounts } from '@macpt/contract';
import type { DisclosureRecord } from '../disclosure/record.js';
import { acknowledgementBand, type InboxItem } from '../notifications/inbox.js';

/** Hours between two ISO times. */
const hours = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000;

function reviewBand(used: DisclosureRecord, review: DisclosureRecord | undefined): string {
  if (!review) return 'AWAITING_REVIEW';
  const h = hours(used.time, review.time);
  if (h <= 24) return 'REVIEWED_WITHIN_24H';
  return h <= 72 ? 'REVIEWED_WITHIN_72H' : 'REVIEWED_LATER';
}

/**
 * The gateway's own weekly counts for an LA, from the disclosure log and the notification inbox:
 * requests by agency and purpose, fields withheld by rule, decisions not to share by reason,
 * break-glass uses by how soon IG reviewed them, agencies that did not answer, and notifications by
 * how they were acknowledged. Records count for the LA of the user who made them.
 */
export function logCounts(
  la: string,
  records: readonly DisclosureRecord[],
  reviews: readonly DisclosureRecord[],
  notifications: readonly InboxItem[],
  now = new Date().toISOString(),
): WeekCounts[] {
  const weeks = new Map<string, WeekCounts>();
  const count = (time: string, table: string, key: string, n = 1) => {
    const week = weekOf(time);
    let w = weeks.get(week);
    if (!w) weeks.set(week, (w = { week, tables: {} }));
    const t = (w.tables[table] ??= {});
    t[key] = (t[key] ?? 0) + n;
  };
  const reviewOf = new Map(reviews.filter((r) => r.review).map((r) => [r.review!.recordId, r]));
  for (const r of records) {
    if (r.user?.la !== la) continue;
    if (r.kind === 'DISCLOSURE') {
      count(r.time, 'requests', `${r.user.agency} · ${r.purpose ?? 'none'}`);
      for (const c of r.children) for (const w of c.withheld) count(r.time, 'withheldByRule', w.rule);
      for (const agency of r.unavailable ?? []) count(r.time, 'agencyUnavailable', agency);
    }
    if (r.kind === 'SHARING_DECISION' && r.outcome === 'RECORDED' && r.sharingDecision?.reason)
      count(r.time, 'decisionsByReason', r.sharingDecision.reason);
    if (r.breakGlass && (r.kind === 'DISCLOSURE' || r.kind === 'REFUSAL'))
      count(r.time, 'breakGlass', reviewBand(r, reviewOf.get(r.id)));
  }
  for (const item of notifications)
    if (item.la === la) count(item.deliveredAt, 'notifications', acknowledgementBand(item, now));
  return [...weeks.values()];
}
