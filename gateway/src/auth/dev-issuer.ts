import { join } from 'node:path';
import { SignJWT } from 'jose';
import { ensureKeyPair, importKey } from '@macpt/kit';

/** The embedded development issuer: used when no OIDC provider is configured. Never for production. */
export const DEV_ISSUER = 'urn:macpt:dev-issuer';
export const DEFAULT_AUDIENCE = 'macpt-gateway';

/** A persona's claims, as the development issuer signs them. */
export interface DevClaims {
  sub: string;
  name: string;
  role: string;
  agency: string;
  la: string | null;
  school?: string | null;
}

/** The development issuer's key pair, generated on first use under `<dataDir>/keys`. */
export function devIssuerKeys(dataDir: string) {
  return ensureKeyPair(join(dataDir, 'keys'), 'dev-issuer');
}

/** Signs a user token with the development issuer's key. */
export async function signDevToken(
  dataDir: string,
  claims: DevClaims,
  options: { ttl?: string | number; audience?: string } = {},
): Promise<string> {
  const { privateJwk, kid } = await devIssuerKeys(dataDir);
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(options.audience ?? DEFAULT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.ttl ?? '8h')
    .sign(await importKey(privateJwk));
}
