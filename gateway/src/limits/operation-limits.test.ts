import { describe, expect, it } from 'vitest';
import { checkOperation, checkVariables, DEFAULT_LIMITS, MAX_VARIABLES_BYTES } from './operation-limits.js';

const check = (q: string) => checkOperation(q, DEFAULT_LIMITS);

describe('operation limits', () => {
  it('accepts a dashboard operation', () => {
    expect(
      'document' in
        check(
          'query ChildView($n: ID!) { child(nhsNumber: $n) { health { name aeAttendances(sinceDays: 90) { date } } } }',
        ),
    ).toBe(true);
  });

  it.each([
    ['a 1 MB document', `{ child(nhsNumber: "1") { nhsNumber } }${' '.repeat(1024 * 1024)}`, 'maxDocumentBytes'],
    ['too many tokens', `{ ${'__typename '.repeat(5000)} }`, 'maxDocumentBytes'],
    [
      '10,000 aliases',
      `{ child(nhsNumber: "1") { ${Array.from({ length: 10_000 }, (_, i) => `a${i}: nhsNumber`).join(' ')} } }`,
      'maxDocumentBytes',
    ],
    [
      '16 aliases',
      `{ child(nhsNumber: "1") { ${Array.from({ length: 16 }, (_, i) => `a${i}: nhsNumber`).join(' ')} } }`,
      'maxAliases',
    ],
    [
      'six root fields',
      `{ a: __typename b: __typename c: __typename d: __typename e: __typename f: __typename }`,
      'maxRootFields',
    ],
    ['depth 11', `{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }`, 'maxDepth'],
    [
      'depth hidden in fragments',
      `{ ...A } fragment A on Query { a { ...B } } fragment B on X { b { c { d { e { f { g { h { i { j { k } } } } } } } } } }`,
      'maxDepth',
    ],
    ['a fragment cycle', `{ ...A } fragment A on Query { a { ...B } } fragment B on X { b { ...A } }`, 'fragmentCycle'],
    ['a syntax error', `{ child(`, 'syntax'],
  ])('refuses %s', (_, query, limit) => {
    const result = check(query);
    expect('limit' in result && result.limit).toBe(limit);
  });

  it('refuses too many tokens in a document under the size limit', () => {
    const result = checkOperation(`{ ${'a '.repeat(5000)} }`, DEFAULT_LIMITS);
    expect('limit' in result && result.limit).toBe('maxTokens');
  });

  it('refuses 10,000 aliases quickly even with the size limit lifted', () => {
    const query = `{ child(nhsNumber: "1") { ${Array.from({ length: 10_000 }, (_, i) => `a${i}: nhsNumber`).join(' ')} } }`;
    const result = checkOperation(query, { ...DEFAULT_LIMITS, maxDocumentBytes: 10_000_000 });
    expect('limit' in result && result.limit).toBe('maxTokens');
  });

  it('checks every operation of a document, whichever one a request names', () => {
    const deep = `query Big { ${'a { '.repeat(12)}b${' }'.repeat(12)} }`;
    const result = check(`query Small { a } ${deep}`);
    expect('limit' in result && result.limit).toBe('maxDepth');
  });
});

describe('variables', () => {
  const declared = new Set(['n', 'nhsNumbers']);
  it('accepts declared variables of a reasonable size', () => {
    expect(checkVariables({ nhsNumbers: Array.from({ length: 1000 }, () => '9990001073') }, declared)).toBeNull();
    expect(checkVariables(undefined, declared)).toBeNull();
  });
  it('refuses variables no operation declares, naming them', () => {
    expect(checkVariables({ n: '1', junk: 'x'.repeat(10) }, declared)).toMatchObject({
      limit: 'variables',
      message: 'The operation declares no variable $junk.',
    });
  });
  it(`refuses more than ${MAX_VARIABLES_BYTES} bytes of declared variables`, () => {
    expect(checkVariables({ n: 'x'.repeat(MAX_VARIABLES_BYTES) }, declared)).toMatchObject({ limit: 'variables' });
  });
  it('refuses variables that are not an object', () => {
    expect(checkVariables([1, 2], declared)).toMatchObject({
      limit: 'variables',
      message: 'Variables must be a JSON object.',
    });
  });
});
