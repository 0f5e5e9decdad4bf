import { generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { ChildAttributes } from '@macpt/policies';
import { factsBodyHash, signInternalContext, verifyInternalContext, type InternalContext } from './internal-context.js';

const flagged: ChildAttributes = {
  relationship: 'NAMED',
  purposeSupported: true,
  confidentialBy: ['police'],
  locationUnverifiedBy: ['health', 'social-care'],
};
const plain: ChildAttributes = {
  relationship: 'TEAM',
  purposeSupported: false,
  confidentialBy: [],
  locationUnverifiedBy: [],
};
const context: InternalContext = {
  requestId: 'r-1',
  user: { id: 'health-leicester-1', role: 'MACPT_HEALTH', agency: 'health', la: 'LEICESTER' },
  purpose: 'SECTION_47_ENQUIRY',
  breakGlass: false,
  children: new Map([
    ['9990000018', flagged],
    ['9990000026', plain],
  ]),
};

describe('the signed internal context', () => {
  it('carries who, why and each child’s attributes to the agency it is signed for', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const token = await signInternalContext(privateKey, 'k', 'health', context);
    const verified = await verifyInternalContext(publicKey, 'health', token);
    expect(verified).toMatchObject({
      requestId: 'r-1',
      user: context.user,
      purpose: 'SECTION_47_ENQUIRY',
      breakGlass: false,
    });
    expect(verified.children).toEqual(context.children);
  });

  it('verifies only at its own audience, and only with the gateway’s key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const token = await signInternalContext(privateKey, 'k', 'health', context);
    await expect(verifyInternalContext(publicKey, 'police', token)).rejects.toThrow(/aud/);
    await expect(verifyInternalContext(other.publicKey, 'health', token)).rejects.toThrow(/signature/);
    await expect(verifyInternalContext(publicKey, 'health', undefined)).rejects.toThrow(/no signed internal context/);
  });

  it('binds a fact-look-up context to its exact body', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const body = JSON.stringify({ nhsNumbers: ['9990000018'] });
    const token = await signInternalContext(privateKey, 'k', 'police', {
      requestId: 'gateway-facts',
      user: null,
      purpose: null,
      breakGlass: false,
      children: new Map(),
      bodyHash: factsBodyHash(body),
    });
    const verified = await verifyInternalContext(publicKey, 'police', token);
    expect(verified.bodyHash).toBe(factsBodyHash(body));
    expect(verified.bodyHash).not.toBe(factsBodyHash(JSON.stringify({ nhsNumbers: ['9990000026'] })));
  });
});
