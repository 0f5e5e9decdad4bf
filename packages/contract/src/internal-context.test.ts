import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { ChildAttributes } from '@macpt/policies';
import {
  factsBodyHash,
  signInternalContext,
  verifyInternalContext,
  type ContextKey,
  type InternalContext,
} from './internal-context.js';

const keyOf = (agency: string): ContextKey => ({ kid: `internal-context-${agency}`, secret: randomBytes(32) });

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
    const health = keyOf('health');
    const token = signInternalContext(health, 'health', context);
    const verified = await verifyInternalContext(health.secret, 'health', token);
    expect(verified).toMatchObject({
      requestId: 'r-1',
      user: context.user,
      purpose: 'SECTION_47_ENQUIRY',
      breakGlass: false,
    });
    expect(verified.children).toEqual(context.children);
  });

  it('verifies only at its own audience, and only with that agency’s secret', async () => {
    const health = keyOf('health');
    const police = keyOf('police');
    const token = signInternalContext(health, 'health', context);
    await expect(verifyInternalContext(health.secret, 'police', token)).rejects.toThrow(/aud/);
    // Police hold their own secret only: a context for health does not verify there, and police cannot make one.
    await expect(verifyInternalContext(police.secret, 'health', token)).rejects.toThrow(/signature/);
    const forged = signInternalContext(police, 'health', context);
    await expect(verifyInternalContext(health.secret, 'health', forged)).rejects.toThrow(/signature/);
    await expect(verifyInternalContext(health.secret, 'health', undefined)).rejects.toThrow(
      /no signed internal context/,
    );
  });

  it('refuses another algorithm, an unsigned token and an expired one', async () => {
    const health = keyOf('health');
    const claims = { usr: context.user, pur: context.purpose, bg: false, rid: 'x', ch: {} };
    const { privateKey } = await generateKeyPair('ES256');
    const es256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('urn:macpt:gateway')
      .setAudience('health')
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(privateKey);
    await expect(verifyInternalContext(health.secret, 'health', es256)).rejects.toThrow(/alg/);
    const unsigned = new UnsecuredJWT(claims).setIssuer('urn:macpt:gateway').setAudience('health').encode();
    await expect(verifyInternalContext(health.secret, 'health', unsigned)).rejects.toThrow();
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('urn:macpt:gateway')
      .setAudience('health')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(health.secret);
    await expect(verifyInternalContext(health.secret, 'health', expired)).rejects.toThrow(/exp/);
  });

  it('binds a fact-look-up context to its exact body', async () => {
    const police = keyOf('police');
    const body = JSON.stringify({ nhsNumbers: ['9990000018'] });
    const token = signInternalContext(police, 'police', {
      requestId: 'gateway-facts',
      user: null,
      purpose: null,
      breakGlass: false,
      children: new Map(),
      bodyHash: factsBodyHash(body),
    });
    const verified = await verifyInternalContext(police.secret, 'police', token);
    expect(verified.bodyHash).toBe(factsBodyHash(body));
    expect(verified.bodyHash).not.toBe(factsBodyHash(JSON.stringify({ nhsNumbers: ['9990000026'] })));
  });
});
