import { describe, expect, it } from 'vitest';
import { checkOperation, DEFAULT_LIMITS } from './operation-limits.js';

const check = (q: string) => checkOperation(q, undefined, DEFAULT_LIMITS);

describe('operation limits', () => {
  it('accepts a dashboard operation', () => {
    expect('document' in check('query ChildView($n: ID!) { child(nhsNumber: $n) { health { name aeAttendances(sinceDays: 90) { date } } } }')).toBe(true);
  });

  it.each([
    ['a 1 MB document', `{ child(nhsNumber: "1") { nhsNumber } }${' '.repeat(1024 * 1024)}`, 'maxDocumentBytes'],
    ['too many tokens', `{ ${'__typename '.repeat(5000)} }`, 'maxDocumentBytes'],
    ['10,000 aliases', `{ child(nhsNumber: "1") { ${Array.from({ length: 10_000 }, (_, i) => `a${i}: nhsNumber`).join(' ')} } }`, 'maxDocumentBytes'],
    ['16 aliases', `{ child(nhsNumber: "1") { ${Array.from({ length: 16 }, (_, i) => `a${i}: nhsNumber`).join(' ')} } }`, 'maxAliases'],
    ['six root fields', `{ a: __typename b: __typename c: __typename d: __typename e: __typename f: __typename }`, 'maxRootFields'],
    ['depth 11', `{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }`, 'maxDepth'],
    ['depth hidden in fragments', `{ ...A } fragment A on Query { a { ...B } } fragment B on X { b { c { d { e { f { g { h { i { j { k } } } } } } } } } }`, 'maxDepth'],
    ['a fragment cycle', `{ ...A } fragment A on Query { a { ...B } } fragment B on X { b { ...A } }`, 'fragmentCycle'],
    ['a syntax error', `{ child(`, 'syntax'],
  ])('refuses %s', (_, query, limit) => {
    const result = check(query);
    expect('limit' in result && result.limit).toBe(limit);
  });

  it('refuses too many tokens in a document under the size limit', () => {
    const result = checkOperation(`{ ${'a '.repeat(5000)} }`, undefined, DEFAULT_LIMITS);
    expect('limit' in result && result.limit).toBe('maxTokens');
  });

  it('refuses 10,000 aliases quickly even with the size limit lifted', () => {
    const query = `{ child(nhsNumber: "1") { ${Array.from({ length: 10_000 }, (_, i) => `a${i}: nhsNumber`).join(' ')} } }`;
    const result = checkOperation(query, undefined, { ...DEFAULT_LIMITS, maxDocumentBytes: 10_000_000 });
    expect('limit' in result && result.limit).toBe('maxTokens');
  });
});
