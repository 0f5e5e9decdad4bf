import { createHash, randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { ChildAttributes } from '@macpt/policies';
import {
  signInternalContext,
  verifyInternalContext,
  type ContextKey,
  type InternalContext,
} from './internal-context.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64url');
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

const body = JSON.stringify({
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { health { name } } } }',
  variables: { r: [{ __typename: 'Child', nhsNumber: '9990000018' }] },
});

describe('the signed internal context', () => {
  it('carries who, why and each child’s attributes to the agency it is signed for', async () => {
    const health = keyOf('health');
    const token = signInternalContext(health, 'health', context, body);
    const verified = await verifyInternalContext(health.secret, 'health', token, body);
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
    const token = signInternalContext(health, 'health', context, body);
    await expect(verifyInternalContext(health.secret, 'police', token, body)).rejects.toThrow(/aud/);
    // Police hold their own secret only: a context for health does not verify there, and police cannot make one.
    await expect(verifyInternalContext(police.secret, 'health', token, body)).rejects.toThrow(/signature/);
    const forged = signInternalContext(police, 'health', context, body);
    await expect(verifyInternalContext(health.secret, 'health', forged, body)).rejects.toThrow(/signature/);
    await expect(verifyInternalContext(health.secret, 'health', undefined, body)).rejects.toThrow(
      /no signed internal context/,
    );
  });

  it('refuses another algorithm, an unsigned token and an expired one', async () => {
    const health = keyOf('health');
    const claims = { usr: context.user, pur: context.purpose, bg: false, rid: 'x', ch: {}, bh: hashOf(body), jti: 'j' };
    const { privateKey } = await generateKeyPair('ES256');
    const es256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('urn:macpt:gateway')
      .setAudience('health')
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(privateKey);
    await expect(verifyInternalContext(health.secret, 'health', es256, body)).rejects.toThrow(/alg/);
    const unsigned = new UnsecuredJWT(claims).setIssuer('urn:macpt:gateway').setAudience('health').encode();
    await expect(verifyInternalContext(health.secret, 'health', unsigned, body)).rejects.toThrow();
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('urn:macpt:gateway')
      .setAudience('health')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(health.secret);
    await expect(verifyInternalContext(health.secret, 'health', expired, body)).rejects.toThrow(/exp/);
  });

  it('answers only the exact body it was signed for: other fields, other children, the same query reworded', async () => {
    const health = keyOf('health');
    const token = signInternalContext(health, 'health', context, body);
    const others = [
      body.replace('health { name }', 'health { name address camhs { concern } }'),
      body.replace('9990000018', '9990000026'),
      JSON.stringify({ query: '{ _service { sdl } }' }),
      body.replace('{', '{ '),
      '',
    ];
    for (const other of others)
      await expect(verifyInternalContext(health.secret, 'health', token, other)).rejects.toThrow(
        /not made for this body/,
      );
    await expect(verifyInternalContext(health.secret, 'health', token, body)).resolves.toBeDefined();
  });

  it('binds a fact-look-up context the same way', async () => {
    const police = keyOf('police');
    const facts = JSON.stringify({ nhsNumbers: ['9990000018'] });
    const token = signInternalContext(police, 'police', { ...context, user: null, purpose: null }, facts);
    await expect(verifyInternalContext(police.secret, 'police', token, facts)).resolves.toMatchObject({ user: null });
    await expect(
      verifyInternalContext(police.secret, 'police', token, JSON.stringify({ nhsNumbers: ['9990000026'] })),
    ).rejects.toThrow(/not made for this body/);
  });

  it('refuses a genuine context that binds no body, has no id, or names no issuer, audience or time', async () => {
    const health = keyOf('health');
    const claims = { usr: context.user, pur: context.purpose, bg: false, rid: 'x', ch: {}, bh: hashOf(body), jti: 'j' };
    const signed = (omit: 'bh' | 'jti' | 'iss' | 'aud' | 'iat') => {
      const { [omit]: _omitted, ...rest } = {
        ...claims,
        iss: 'urn:macpt:gateway',
        aud: 'health',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 30,
      };
      return new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).sign(health.secret);
    };
    // A claim left out must not skip its check: each is refused by name.
    for (const claim of ['bh', 'jti', 'iss', 'aud', 'iat'] as const)
      await expect(verifyInternalContext(health.secret, 'health', await signed(claim), body)).rejects.toThrow(
        new RegExp(`\\b${claim} claim is required`),
      );
    // Issued a minute from now: a clock that far ahead is refused, as an expired context is.
    const ahead = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('urn:macpt:gateway')
      .setAudience('health')
      .setIssuedAt(Math.floor(Date.now() / 1000) + 60)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 90)
      .sign(health.secret);
    await expect(verifyInternalContext(health.secret, 'health', ahead, body)).rejects.toThrow(/future/);
  });

  it('gives each signing its own id and says until when it is good', async () => {
    const health = keyOf('health');
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        verifyInternalContext(health.secret, 'health', signInternalContext(health, 'health', context, body), body),
      ),
    );
    expect(a!.tokenId).not.toBe(b!.tokenId);
    expect(a!.expiresAt).toBeGreaterThan(Date.now());
    expect(a!.expiresAt).toBeLessThanOrEqual(Date.now() + 31_000);
  });
});
