import { describe, expect, it } from 'vitest';
import { draft } from './build.js';
import { PartIds } from './interning.js';
import {
  canonical,
  chain,
  fieldSetId,
  firstBreak,
  GENESIS_HASH,
  type FieldSet,
  type RecordDraft,
  type StoredRecord,
} from './record.js';

const asked = {
  requestId: 'req-1',
  user: { id: 'sw-leicester-1', role: 'MACPT_SOCIAL_WORKER', agency: 'social-care', la: 'LEICESTER' },
  purpose: 'STRATEGY_DISCUSSION',
  justification: 'section 47 enquiry',
  breakGlass: false,
  operationName: 'ChildView',
  operationHash: 'a'.repeat(64),
  clientName: 'console',
};

/** A record with every member a record may carry, each of them nested as deeply as the gateway nests it. */
function everything(): RecordDraft {
  return draft('SHARING_DECISION', asked, 'RECORDED', {
    reason: 'BAD_REQUEST',
    children: [
      {
        nhsNumber: '9990000018',
        disclosed: { health: ['HealthRecord.name'], 'social-care': ['SocialCareRecord.stage', 'Child.socialCare'] },
        withheld: [{ field: 'HealthRecord.camhs', agency: 'health', rule: 'SENSITIVE_PURPOSE', class: 'SENSITIVE' }],
        lawfulBasis: { health: 'UK GDPR Art. 6(1)(e)', 'social-care': 'Children Act 1989 s.47' },
      },
    ],
    agencies: ['health', 'social-care'],
    unavailable: ['police'],
    query: { nhsNumber: '9990000018', from: '2026-01-01', breakGlass: true, nested: { z: [1, null, 'x'], a: {} } },
    review: { recordId: 'r-1', outcome: 'JUSTIFIED', note: 'quote " and \\ and é' },
    schemaChange: {
      publicationId: 'p-1',
      agency: 'health',
      schemaHash: 'b'.repeat(64),
      policyHash: 'c'.repeat(64),
      status: 'PUBLISHED',
      impact: ['+HealthRecord.x to 12 audiences'],
    },
    sharingDecision: {
      id: 'd-1',
      agency: 'police',
      nhsNumber: '9990000018',
      action: 'RECORD',
      fields: ['PoliceRecord.incidents'],
      classes: ['CONFIDENTIAL'],
      reason: 'RISK_OF_HARM',
      reasonText: null,
      reviewBy: '2027-01-01',
      note: null,
    },
  });
}

describe('chaining a record', () => {
  it('writes each stored record as its canonical encoding with its hash, so verification re-hashes it true', () => {
    const drafts = [everything(), draft('REFUSAL', { ...asked, user: null }, 'UNAUTHENTICATED'), everything()];
    const chained = chain(drafts, { seq: 41, hash: 'f'.repeat(64) });
    let previous = { seq: 41, hash: 'f'.repeat(64) };
    for (const { stored, json, record } of chained) {
      // What is written is what readers and verification parse back: the stored record, and nothing else.
      const read = JSON.parse(json) as typeof stored;
      expect(read).toEqual(JSON.parse(JSON.stringify(stored)));
      expect(firstBreak(read, previous)).toBeNull();
      const { hash, ...rest } = read;
      expect(json).toBe(`${canonical(rest).slice(0, -1)},"hash":"${hash}"}`);
      expect(record).toMatchObject({ seq: read.seq, prevHash: previous.hash, hash });
      previous = { seq: read.seq, hash };
    }
    expect(chained.map((c) => c.record.seq)).toEqual([42, 43, 44]);
    const [first] = chained;
    expect(first!.record.review).toEqual(drafts[0]!.review);
    expect(Object.keys(JSON.parse(first!.json) as object).sort()).toEqual(
      [
        'c',
        'children',
        'hash',
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
      ].sort(),
    );
  });

  it('writes what JSON would of values JSON changes (a date, an undefined in a list, a function), and verifies them', () => {
    const odd = everything();
    odd.query = { from: new Date('2026-01-01T00:00:00.000Z'), list: [1, undefined, 'x'], skip: () => 1, kept: 'yes' };
    const [{ json }] = chain([odd], { seq: 0, hash: GENESIS_HASH }) as [{ json: string }];
    const read = JSON.parse(json) as StoredRecord;
    expect(read.query).toEqual({ from: '2026-01-01T00:00:00.000Z', list: [1, null, 'x'], kept: 'yes' });
    expect(firstBreak(read, { seq: 0, hash: GENESIS_HASH })).toBeNull();
  });

  it('names the same child fields and request by the same id however often they recur, and an altered one by another', () => {
    const [a, b] = chain([everything(), everything()], { seq: 0, hash: GENESIS_HASH });
    expect(a!.stored.c).toBe(b!.stored.c);
    expect(a!.stored.children[0]![1]).toBe(b!.stored.children[0]![1]);
    const other = everything();
    other.children[0]!.withheld = [];
    const [c] = chain([other], { seq: 0, hash: GENESIS_HASH });
    expect(c!.stored.children[0]![1]).not.toBe(a!.stored.children[0]![1]);
    for (const [id, set] of [...a!.sets, ...c!.sets])
      expect(fieldSetId(JSON.parse(JSON.stringify(set)) as FieldSet)).toBe(id);
  });
});

describe('children disclosed alike', () => {
  it('share one field set, named as any child disclosed the same would be, and a child that also withheld has its own', () => {
    const disclosed = Object.freeze({
      health: Object.freeze(['Child.health', 'HealthRecord.gp']),
    }) as unknown as Record<string, string[]>;
    const lawfulBasis = Object.freeze({ health: 'UK GDPR Art. 6(1)(e)' });
    const shared = (nhsNumber: string) => ({ nhsNumber, disclosed, withheld: [], lawfulBasis });
    const withheld = {
      ...shared('9990000042'),
      withheld: [{ field: 'HealthRecord.camhs', agency: 'health', rule: 'SENSITIVE_PURPOSE', class: 'SENSITIVE' }],
    };
    const unshared = {
      nhsNumber: '9990000034',
      disclosed: { health: ['Child.health', 'HealthRecord.gp'] },
      withheld: [],
      lawfulBasis: { health: 'UK GDPR Art. 6(1)(e)' },
    };
    // Another shape, and the same disclosure under another lawful basis, interleaved with the first.
    const other = Object.freeze({ police: Object.freeze(['Child.police']) }) as unknown as Record<string, string[]>;
    const otherShape = { nhsNumber: '9990000050', disclosed: other, withheld: [], lawfulBasis };
    const otherBasis = {
      ...shared('9990000069'),
      lawfulBasis: Object.freeze({ health: 'Children Act 1989 s.47' }),
    };
    const children = [shared('9990000018'), otherShape, shared('9990000026'), unshared, otherBasis, withheld];
    const [c] = chain([draft('DISCLOSURE', asked, 'PARTIAL', { children })], { seq: 0, hash: GENESIS_HASH });
    const ids = c!.stored.children.map(([, id]) => id);
    // Each child's id is its own content's, however its disclosure was shared.
    children.forEach((child, k) => {
      const own = { disclosed: child.disclosed, withheld: child.withheld, lawfulBasis: child.lawfulBasis };
      expect(ids[k]).toBe(fieldSetId(JSON.parse(JSON.stringify(own)) as FieldSet));
    });
    expect(new Set([ids[0], ids[2], ids[3]]).size).toBe(1);
    expect(new Set(ids).size).toBe(4);
    for (const [id, set] of c!.sets) expect(fieldSetId(JSON.parse(JSON.stringify(set)) as FieldSet)).toBe(id);
    expect(c!.sets.size).toBe(5); // the request's context and four field sets
  });
});

describe('remembered part ids', () => {
  const truth = (value: object) => fieldSetId(JSON.parse(JSON.stringify(value)) as FieldSet);

  it('gives every part the id of its JSON as it reads back, never one a look-alike part was given', () => {
    const ids = new PartIds((json) => fieldSetId(JSON.parse(json) as FieldSet));
    // Neighbours differ in one way a careless key would conflate (or, undefined, not differ at all).
    const parts: object[] = [
      { a: ['b', 'c'] },
      { a: ['bc'] },
      { a: 'b' },
      { a: ['b'] },
      { a: null },
      { a: 'null' },
      { a: 1 },
      { a: '1' },
      { a: true },
      { a: 'true' },
      { a: 1, b: undefined },
      { a: [undefined] },
      { a: [null] },
      { a: [] },
      { a: {} },
      { x: { y: 1 } },
      { x: {}, y: 1 },
      { a: 'b', c: 'd' },
      { a: 'b', c: 'd', e: 'f' },
      { c: 'd', a: 'b' },
      { ab: 'c' },
      { a: 'bc' },
      { a: Number.NaN },
      { a: new Date(0) },
      { a: 0 },
      { a: -0 },
      { '1': 'x', b: 'y' },
    ];
    for (const round of [1, 2])
      for (const part of parts) expect(ids.id(part), `${JSON.stringify(part)} (round ${round})`).toBe(truth(part));
  });

  it('still gives true ids once it has remembered too much and started again', () => {
    const ids = new PartIds((json) => fieldSetId(JSON.parse(json) as FieldSet));
    const part = (i: number) => ({ disclosed: { health: [`HealthRecord.f${i}`, `HealthRecord.g${i}`] }, n: i });
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 30_000; i += 1) {
        const id = ids.id(part(i));
        if (i % 997 === 0) expect(id).toBe(truth(part(i)));
      }
  });
});
