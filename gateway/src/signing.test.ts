import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT_HEADER, verifyInternalContext } from '@macpt/contract';
import { ensureSecret } from '@macpt/kit';
import type { ChildAttributes } from '@macpt/policies';
import type { GatewayContext } from './context.js';
import type { ChildFacts } from './facts/child-facts.js';
import { agencyRequestSigner, createSigner } from './signing.js';

const named: ChildAttributes = {
  relationship: 'NAMED',
  purposeSupported: true,
  confidentialBy: [],
  locationUnverifiedBy: [],
};
const factsOf = (nhsNumber: string, unavailable: string[] = []): ChildFacts => ({
  nhsNumber,
  knownBy: ['health'],
  unavailable,
  unavailableWhy: Object.fromEntries(unavailable.map((a) => [a, 'timed out'])),
  confidentialBy: [],
  locationUnverifiedBy: [],
  openCase: null,
  schoolUrn: null,
});

const team: ChildAttributes = { ...named, relationship: 'TEAM' };
/** Each child's own attributes: the first named, the case's child in the team. */
const attributesFor = (n: string) => (n === '9990000018' ? named : team);

async function setUp(
  options: {
    /** Agencies that missed the request's fact look-up, per child. */
    unavailable?: Record<string, string[]>;
    /** Children whose facts failed. */
    failed?: string[];
    /** Children whose attributes cannot be derived (their derivation throws). */
    throwing?: string[];
    /** Derived before the agency call, as the directory usually has. */
    settledBefore?: boolean;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'macpt-sign-'));
  const sign = await createSigner({ DATA_DIR: dir });
  const secretOf = (agency: string) =>
    Buffer.from(ensureSecret(join(dir, 'keys'), `internal-context-${agency}`).k, 'base64url');
  const settled = new Map<string, { facts: ChildFacts | null; attributes: ChildAttributes | null }>();
  const factsFor = (n: string) => factsOf(n, options.unavailable?.[n] ?? []);
  const derived: string[] = [];
  // As the facts step derives them: once per child, kept for the rest of the request.
  const attributesOf = async (n: string) => {
    derived.push(n);
    if (options.failed?.includes(n)) {
      settled.set(n, { facts: null, attributes: null });
      return null;
    }
    if (options.throwing?.includes(n)) throw new TypeError(`cannot derive ${n}`);
    settled.set(n, { facts: factsFor(n), attributes: attributesFor(n) });
    return attributesFor(n);
  };
  const ctx = {
    requestId: 'r-1',
    user: { id: 'u', name: 'U', role: 'MACPT_HEALTH', agency: 'health', la: 'LEICESTER' },
    purpose: 'SECTION_47_ENQUIRY',
    breakGlass: false,
    caseChildren: new Map([['CASE-1', '9990000026']]),
    facts: {
      load: async (n: string) => {
        if (options.failed?.includes(n)) throw new Error('facts failed');
        return factsFor(n);
      },
    },
    attributesOf,
    settled: (n: string) => settled.get(n),
  } as unknown as GatewayContext;
  if (options.settledBefore) for (const n of ['9990000018', '9990000026']) await attributesOf(n);
  derived.length = 0;
  return { signer: agencyRequestSigner(sign), ctx, secretOf, derived };
}
const request = {
  query: '',
  variables: {
    representations: [
      { __typename: 'Child', nhsNumber: '9990000018' },
      { __typename: 'MacptCase', id: 'CASE-1' },
      { __typename: 'MacptCase', id: 'CASE-UNKNOWN' },
    ],
  },
};

const body = JSON.stringify(request);

describe('signing an agency request', () => {
  it('signs with configured secrets only, refusing an agency that has none', async () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const sign = await createSigner({ DATA_DIR: '/nonexistent', INTERNAL_CONTEXT_KEYS: { health: secret } });
    const context = { requestId: 'r', user: null, purpose: null, breakGlass: false, children: new Map() };
    const token = await sign('health', context, '{}');
    await expect(verifyInternalContext(Buffer.from(secret, 'base64url'), 'health', token, '{}')).resolves.toMatchObject(
      { requestId: 'r' },
    );
    await expect(sign('police', context, '{}')).rejects.toThrow(/INTERNAL_CONTEXT_KEYS has no secret for police/);
  });

  it("names exactly the children the request's representations reach, a case's by its child, for that agency alone", async () => {
    const { signer, ctx, secretOf } = await setUp();
    const token = (await signer('health', ctx, request, body))[INTERNAL_CONTEXT_HEADER];
    const context = await verifyInternalContext(secretOf('health'), 'health', token, body);
    expect([...context.children].map(([n, a]) => [n, a.relationship])).toEqual([
      ['9990000018', 'NAMED'],
      ['9990000026', 'TEAM'],
    ]);
    // Neither at police's audience nor with police's secret.
    await expect(verifyInternalContext(secretOf('health'), 'police', token, body)).rejects.toThrow(/aud/);
    await expect(verifyInternalContext(secretOf('police'), 'health', token, body)).rejects.toThrow(/signature/);
  });

  it('binds the context to the body the request is sent with, and to nothing else', async () => {
    const { signer, ctx, secretOf } = await setUp();
    const token = (await signer('health', ctx, request, body))[INTERNAL_CONTEXT_HEADER];
    const other = JSON.stringify({ ...request, query: '{ _entities { ... on Child { health { address } } } }' });
    await expect(verifyInternalContext(secretOf('health'), 'health', token, other)).rejects.toThrow(
      /not made for this body/,
    );
  });

  it('names no child whose facts failed: the agency decides it as unrelated', async () => {
    const { signer, ctx, secretOf } = await setUp({ failed: ['9990000018'] });
    const token = (await signer('health', ctx, request, body))[INTERNAL_CONTEXT_HEADER];
    const context = await verifyInternalContext(secretOf('health'), 'health', token, body);
    expect([...context.children.keys()]).toEqual(['9990000026']);
  });

  it('signs from what the request already derived, each child with its own attributes, deriving nothing again', async () => {
    const { signer, ctx, secretOf, derived } = await setUp({ settledBefore: true });
    const token = (await signer('health', ctx, request, body))[INTERNAL_CONTEXT_HEADER];
    const context = await verifyInternalContext(secretOf('health'), 'health', token, body);
    expect([...context.children].map(([n, a]) => [n, a.relationship])).toEqual([
      ['9990000018', 'NAMED'],
      ['9990000026', 'TEAM'],
    ]);
    expect(derived).toEqual([]);
  });

  it("does not ask again an agency that missed this request's fact look-up for any one of the call's children", async () => {
    for (const settledBefore of [false, true]) {
      const { signer, ctx } = await setUp({ unavailable: { '9990000026': ['health'] }, settledBefore });
      await expect(signer('health', ctx, request, body)).rejects.toMatchObject({
        extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'health' },
      });
      // Another agency of the same call is asked.
      await expect(signer('police', ctx, request, body)).resolves.toHaveProperty([INTERNAL_CONTEXT_HEADER]);
    }
  });

  it("says the agency is unavailable, not why another child's attributes failed, when both are so", async () => {
    const { signer, ctx } = await setUp({ unavailable: { '9990000018': ['health'] }, throwing: ['9990000026'] });
    await expect(signer('health', ctx, request, body)).rejects.toMatchObject({
      extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'health' },
    });
    // For an agency that did answer, the derivation's own failure fails the call.
    await expect(signer('police', ctx, request, body)).rejects.toThrow(/cannot derive 9990000026/);
  });
});
