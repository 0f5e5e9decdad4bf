import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticate.js';

const issuer = 'https://issuer.test';
const audience = 'macpt-gateway';

async function setUp() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const authenticate = createAuthenticator({ issuer, audience, jwks: { keys: [jwk] } });
  const sign = (claims: Record<string, unknown>, exp = '10m') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(String(claims.sub))
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(privateKey);
  return { authenticate, sign };
}

const worker = {
  sub: 'sw-leicester-1',
  name: 'Test Worker',
  role: 'SOCIAL_WORKER',
  agency: 'social-care',
  la: 'LEICESTER',
};

describe('authentication', () => {
  it('remembers a verified token, but a token differing in one byte of its signature is checked afresh and refused', async () => {
    const { authenticate, sign } = await setUp();
    const token = await sign(worker);
    expect((await authenticate(`Bearer ${token}`)).id).toBe('sw-leicester-1');
    expect((await authenticate(`Bearer ${token}`)).id).toBe('sw-leicester-1');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    await expect(authenticate(`Bearer ${forged}`)).rejects.toThrow(/not signed by the trusted issuer|malformed/);
  });

  it('does not let a remembered token lend its claims to another: each token answers with its own user', async () => {
    const { authenticate, sign } = await setUp();
    const a = await sign(worker);
    const b = await sign({ ...worker, sub: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police' });
    await authenticate(`Bearer ${a}`);
    expect(await authenticate(`Bearer ${b}`)).toMatchObject({
      id: 'police-leicester-1',
      role: 'MACPT_POLICE',
      agency: 'police',
    });
    expect(await authenticate(`Bearer ${a}`)).toMatchObject({ id: 'sw-leicester-1', role: 'SOCIAL_WORKER' });
  });

  it('refuses an expired token even when an unexpired one for the same user was remembered', async () => {
    const { authenticate, sign } = await setUp();
    await authenticate(`Bearer ${await sign(worker)}`);
    await expect(authenticate(`Bearer ${await sign(worker, Math.floor(Date.now() / 1000) - 60)}`)).rejects.toThrow(
      /expired/,
    );
  });

  it.each([
    ['no exp', (t: SignJWT) => t.setIssuedAt(), /no exp claim/],
    ['no iat', (t: SignJWT) => t.setExpirationTime('10m'), /no iat claim/],
    ['a lifetime over 12 hours', (t: SignJWT) => t.setIssuedAt().setExpirationTime('30d'), /longer than 12 hours/],
    [
      'an iat in the future',
      (t: SignJWT) => t.setIssuedAt(Math.floor(Date.now() / 1000) + 3600).setExpirationTime('2h'),
      /issued in the future/,
    ],
  ])('refuses a genuinely signed token with %s', async (_, shape, why) => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const authenticate = createAuthenticator({
      issuer,
      audience,
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] },
    });
    const token = await shape(
      new SignJWT(worker)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(worker.sub),
    ).sign(privateKey);
    await expect(authenticate(`Bearer ${token}`)).rejects.toThrow(why);
  });
});
