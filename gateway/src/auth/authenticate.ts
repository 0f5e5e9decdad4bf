import { LRUCache } from 'lru-cache';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { codedError, z } from '@macpt/kit';
import { AGENCIES, ROLE_CLAIMS, ROLES, type PolicyUser } from '@macpt/policies';

/** Where user tokens come from and whom they are for. */
export interface IssuerConfig {
  issuer: string;
  audience: string;
  /** A remote JWKS (a real OIDC provider) or the local development issuer's public keys. */
  jwks: { url: string } | { keys: JWK[] };
}

const claims = z
  .object({
    sub: z.string().min(1),
    name: z.string().min(1),
    role: z.enum(ROLES),
    agency: z.enum(AGENCIES),
    la: z.enum(['LEICESTER', 'LEICESTERSHIRE', 'RUTLAND']).nullish(),
    school: z
      .string()
      .regex(/^\d{6}$/)
      .nullish(),
  })
  .superRefine((c, ctx) => {
    for (const claim of ROLE_CLAIMS[c.role])
      if (!c[claim]) ctx.addIssue({ code: 'custom', message: `a ${c.role} token needs a ${claim} claim` });
  });

const refuse = (why: string) =>
  codedError('UNAUTHENTICATED', `Authentication failed: ${why}.`, {}, { refusesRequest: true });

type User = PolicyUser & { name: string };

/** How long a verified token is remembered (never past its own expiry). */
const REMEMBER_MS = 30_000;

/** The longest a user token may live (a working day and a half): a token without an end is refused. */
export const MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;
/** Clock skew allowed between the issuer and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Returns a function that turns an `Authorization` header into a verified user, or throws
 * UNAUTHENTICATED (401). A dashboard sends the same token with every request, so a token that
 * verified is remembered, byte for byte, for up to 30 s and never past its `exp`: the signature check
 * is skipped only for the exact string already checked. (A key withdrawn from the issuer's JWKS
 * therefore stops working within 30 s.)
 */
export function createAuthenticator(config: IssuerConfig): (authorization: string | undefined) => Promise<User> {
  const keys: JWTVerifyGetKey =
    'url' in config.jwks ? createRemoteJWKSet(new URL(config.jwks.url)) : createLocalJWKSet({ keys: config.jwks.keys });
  const verified = new LRUCache<string, User>({ max: 10_000 });
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization?.trim() ?? '');
    if (!authorization) throw refuse('send Authorization: Bearer <token>');
    if (!match) throw refuse('the Authorization header is not a bearer JWT');
    const known = verified.get(match[1]!);
    if (known) return known;
    const user = await verify(match[1]!);
    verified.set(match[1]!, user.user, { ttl: Math.max(1, Math.min(REMEMBER_MS, user.expiresAt - Date.now())) });
    return user.user;
  };

  async function verify(token: string): Promise<{ user: User; expiresAt: number }> {
    let payload: { exp?: number; iat?: number };
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw refuse(
        code === 'ERR_JWT_EXPIRED'
          ? 'the token has expired'
          : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { reason?: string }).reason === 'missing'
            ? `the token has no ${(error as { claim?: string }).claim} claim; tokens must say when they were issued and when they expire`
            : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
              ? `the token's ${(error as { claim?: string }).claim ?? 'claims'} is not accepted here`
              : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY'
                ? 'the token is not signed by the trusted issuer'
                : 'the token is malformed',
      );
    }
    const now = Date.now() / 1000;
    if (payload.iat! > now + CLOCK_TOLERANCE_SECONDS) throw refuse('the token says it was issued in the future');
    if (payload.exp! - payload.iat! > MAX_TOKEN_LIFETIME_SECONDS)
      throw refuse(`the token lives longer than ${MAX_TOKEN_LIFETIME_SECONDS / 3600} hours`);
    const parsed = claims.safeParse(payload);
    if (!parsed.success)
      throw refuse(`the token's claims are incomplete (${parsed.error.issues.map((i) => i.message).join('; ')})`);
    const c = parsed.data;
    const user = Object.freeze({
      id: c.sub,
      name: c.name,
      role: c.role,
      agency: c.agency,
      la: c.la ?? null,
      school: c.school ?? null,
    });
    return { user, expiresAt: payload.exp! * 1000 };
  }
}
