import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredDecision } from '@macpt/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionBook, migrateDecisions } from './decisions.js';
import { SqlStore } from './store.js';
import { subgraphContext, type SubgraphDefinition } from './subgraph.js';
import { callerFor } from './testkit.js';

const decision = (id: string, nhsNumber: string, status: StoredDecision['status'] = 'STANDING'): StoredDecision => ({
  id,
  agency: 'health',
  nhsNumber,
  status,
  fields: ['HealthRecord.camhs'],
  classes: [],
  reason: 'RISK_OF_HARM',
  reasonText: null,
  decidedBy: { id: 'health-leicester-1', role: 'MACPT_HEALTH' },
  decidedAt: '2026-12-01T10:00:00.000Z',
  reviewBy: '2027-03-01',
  history: [],
});

const open: { close: () => void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** The agency's store and book, and another connection to the same file (another process, or someone at the database). */
function stores() {
  const file = join(mkdtempSync(join(tmpdir(), 'decisions-')), 'health.db');
  const store = new SqlStore(file);
  migrateDecisions(store);
  const book = new DecisionBook(store, 'health', () => ['Household.address']);
  const other = new Database(file);
  open.push(store, other);
  const write = (d: StoredDecision, uprn: string | null = null) =>
    other
      .prepare(
        'INSERT OR REPLACE INTO sharing_decision (id, nhs_number, status, review_by, body, uprn) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(d.id, d.nhsNumber, d.status, d.reviewBy, JSON.stringify(d), uprn);
  return { store, book, write };
}

describe('an agency’s decisions not to share, enforced on every call', () => {
  it('sees a decision written straight into its database at the next call, and its withdrawal', () => {
    const { book, write } = stores();
    expect(book.scopes(['9990000018'])).toEqual(new Map());
    write(decision('d-1', '9990000018'));
    expect(book.scopes(['9990000018', '9990000026'])).toEqual(
      new Map([['9990000018', [{ agency: 'health', fields: ['HealthRecord.camhs'], classes: [] }]]]),
    );
    write(decision('d-1', '9990000018', 'WITHDRAWN'));
    expect(book.scopes(['9990000018'])).toEqual(new Map());
  });

  it('sees its own writes at once', () => {
    const { book } = stores();
    expect(book.scopes(['9990000026']).size).toBe(0);
    book.put(decision('d-2', '9990000026'));
    expect(book.scopes(['9990000026']).get('9990000026')).toHaveLength(1);
    book.step(book.get('d-2')!, {
      action: 'WITHDRAWN',
      by: decision('x', 'y').decidedBy,
      at: '2026-12-02T10:00:00.000Z',
    } as never);
    expect(book.scopes(['9990000026']).size).toBe(0);
  });

  it('reaches the household’s records of every child living there, once a decision names a household', () => {
    const { book, write } = stores();
    const livesAt = (n: string) => (n === '9990000034' || n === '9990000042' ? 'U-1' : null);
    expect(book.scopes(['9990000042'], livesAt).size).toBe(0);
    write(decision('d-3', '9990000034'), 'U-1');
    expect(book.scopes(['9990000042'], livesAt).get('9990000042')).toEqual([
      { agency: 'health', fields: ['Household.address'], classes: [] },
    ]);
  });

  it('knows who lives in a decided household from its own records, read again only when its store changes', () => {
    const { store, write } = stores();
    // The agency's own record of where children live: 34 and 42 at U-1, 59 at U-2; 67 nowhere it knows.
    store.db.exec('CREATE TABLE home (nhs TEXT PRIMARY KEY, uprn TEXT)');
    store.db.exec("INSERT INTO home VALUES ('9990000034', 'U-1'), ('9990000042', 'U-1'), ('9990000059', 'U-2')");
    const other = new Database(store.db.name);
    open.push(other);
    const reads: string[] = [];
    const homes = store.batch<{ nhsNumber: string; uprn: string }>(
      'SELECT nhs AS nhsNumber, uprn FROM home WHERE uprn IN (SELECT value FROM json_each(?))',
    );
    const book = new DecisionBook(
      store,
      'health',
      () => ['Household.address'],
      (uprns) => {
        reads.push(`residents ${uprns.join(' ')}`);
        return homes(uprns);
      },
    );
    const definition = {
      agency: 'health',
      facts: (nhsNumbers: readonly string[]) => {
        reads.push(`facts ${nhsNumbers.join(' ')}`);
        return [];
      },
      createLoaders: () => null,
    } as unknown as SubgraphDefinition<null>;
    const notShared = (children: string[]) => {
      const lcpp = callerFor('health', children, { user: { id: 'lcpp-1', role: 'LCPP', agency: 'social-care' } });
      const context = subgraphContext(definition, lcpp, book);
      return children.map((n) => context.attributesOf(n)?.notShared ?? null);
    };
    const reached = [{ agency: 'health', fields: ['Household.address'], classes: [] }];
    const caseload = ['9990000042', '9990000059', '9990000067'];
    expect(notShared(caseload)).toEqual([null, null, null]);
    expect(reads.splice(0)).toEqual([]);
    write(decision('d-4', '9990000034'), 'U-1');
    // A household decided about: who lives there, read once, never the asked children's facts.
    expect(notShared(caseload)).toEqual([reached, null, null]);
    expect(reads.splice(0)).toEqual(['residents U-1']);
    expect(notShared(caseload)).toEqual([reached, null, null]);
    expect(notShared(['9990000059'])).toEqual([null]);
    expect(reads.splice(0)).toEqual([]);
    // 59 moves in, recorded by the agency itself (this connection), then 67 by another connection.
    store.db.prepare("UPDATE home SET uprn = 'U-1' WHERE nhs = '9990000059'").run();
    expect(notShared(caseload)).toEqual([reached, reached, null]);
    other.prepare("INSERT INTO home VALUES ('9990000067', 'U-1')").run();
    expect(notShared(caseload)).toEqual([reached, reached, reached]);
    expect(reads.splice(0)).toEqual(['residents U-1', 'residents U-1']);
    // The decision withdrawn: no household is decided about, and nobody is asked where anyone lives.
    write(decision('d-4', '9990000034', 'WITHDRAWN'), 'U-1');
    expect(notShared(caseload)).toEqual([null, null, null]);
    expect(reads.splice(0)).toEqual([]);
  });

  it('without the agency’s residents, reads the asked children’s facts only while a household is decided about', () => {
    const { book, write } = stores();
    const reads: string[] = [];
    const definition = {
      agency: 'health',
      facts: (nhsNumbers: readonly string[]) => {
        reads.push(`facts ${nhsNumbers.join(' ')}`);
        return nhsNumbers.map((nhsNumber) => ({
          nhsNumber,
          known: true,
          uprn: nhsNumber === '9990000042' ? 'U-1' : null,
        }));
      },
      createLoaders: () => null,
    } as unknown as SubgraphDefinition<null>;
    const lcpp = (children: string[]) =>
      callerFor('health', children, { user: { id: 'lcpp-1', role: 'LCPP', agency: 'social-care' } });
    const notShared = (children: string[]) => {
      const context = subgraphContext(definition, lcpp(children), book);
      return children.map((n) => context.attributesOf(n)?.notShared ?? null);
    };
    expect(notShared(['9990000042', '9990000059'])).toEqual([null, null]);
    expect(reads.splice(0)).toEqual([]);
    write(decision('d-5', '9990000034'), 'U-1');
    expect(notShared(['9990000042', '9990000059'])).toEqual([
      [{ agency: 'health', fields: ['Household.address'], classes: [] }],
      null,
    ]);
    expect(reads.splice(0)).toEqual(['facts 9990000042 9990000059']);
  });
});
