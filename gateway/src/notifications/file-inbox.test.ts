import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileInboxStore } from './file-inbox.js';
import type { InboxItem } from './inbox.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION = 7 * DAY;
const T0 = Date.parse('2026-12-01T09:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

let n = 0;
function item(over: Partial<InboxItem> = {}): InboxItem {
  n++;
  return {
    id: `item-${n}`,
    eventId: `event-${n}`,
    rule: 'CP_IS_UNSCHEDULED_CARE',
    ruleName: 'Unscheduled care of a child on a plan',
    agency: 'health',
    kind: 'ae-attendance',
    nhsNumber: '9990000018',
    la: 'LEICESTER',
    occurredAt: iso(T0 - 60_000),
    deliveredAt: iso(T0),
    dueBy: iso(T0 + DAY),
    fields: { date: '2026-12-01' },
    lawfulBasis: 'Children Act 1989 s47',
    to: { kind: 'role', role: 'LCPP', la: 'LEICESTER' },
    recordId: `record-${n}`,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ...over,
  };
}

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'macpt-inbox-')), 'inbox.jsonl');

describe('the embedded inbox: what leaves and when', () => {
  it('removes an acknowledged item after the retention, from the file too, and keeps its tally', async () => {
    const file = fileIn();
    const inbox = new FileInboxStore(file, { retentionMs: RETENTION });
    const acked = item();
    const late = item();
    await inbox.put(acked);
    await inbox.put(late);
    await inbox.acknowledge(acked.id, 'lcpp-leicester', iso(T0 + HOUR));

    expect(await inbox.sweep(T0 + HOUR + RETENTION - 1)).toBe(0);
    expect(await inbox.get(acked.id)).not.toBeNull();
    expect(await inbox.sweep(T0 + HOUR + RETENTION)).toBe(1);
    expect(await inbox.get(acked.id)).toBeNull();
    expect(readFileSync(file, 'utf8')).not.toContain(acked.id);

    // Read again from the file: gone, the unacknowledged one still overdue, the tally kept.
    const reopened = new FileInboxStore(file, { retentionMs: RETENTION });
    expect(await reopened.get(acked.id)).toBeNull();
    expect((await reopened.overdue('LEICESTER', T0 + 2 * DAY)).map((i) => i.id)).toEqual([late.id]);
    expect(await reopened.tallies('LEICESTER')).toEqual([
      { week: '2026-11-30', band: 'ACKNOWLEDGED_BY_DUE_TIME', count: 1 },
    ]);
  });

  it('lists an unacknowledged overdue item until it expires, its due time past by the retention', async () => {
    const inbox = new FileInboxStore(fileIn(), { retentionMs: RETENTION });
    const late = item();
    const acknowledged = item();
    const elsewhere = item({ la: 'DERBY' });
    for (const i of [late, acknowledged, elsewhere]) await inbox.put(i);
    await inbox.acknowledge(acknowledged.id, 'lcpp-leicester', iso(T0 + HOUR));
    const due = Date.parse(late.dueBy);

    expect(await inbox.sweep(due + RETENTION - 1)).toBe(1); // the acknowledged one, an hour past its retention
    expect((await inbox.overdue('LEICESTER', due + RETENTION - 1)).map((i) => i.id)).toEqual([late.id]);
    expect(await inbox.sweep(due + RETENTION)).toBe(2);
    expect(await inbox.overdue('LEICESTER', due + RETENTION)).toEqual([]);
    expect(await inbox.tallies('LEICESTER')).toEqual(
      expect.arrayContaining([{ week: '2026-11-30', band: 'NOT_ACKNOWLEDGED_OVERDUE', count: 1 }]),
    );
  });
});
