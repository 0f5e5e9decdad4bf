import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import type { ChildAttributes, Purpose, PolicyUser, Relationship } from '@macpt/policies';

/** Issuer of the gateway's signed internal context. */
export const INTERNAL_ISSUER = 'urn:macpt:gateway';
/** The header that carries it to a subgraph. Clients can never set it: the gateway builds every subgraph request. */
export const INTERNAL_CONTEXT_HEADER = 'x-macpt-context';
/** How long a signed context stays valid. */
export const INTERNAL_CONTEXT_TTL_SECONDS = 30;

/** What the gateway tells a subgraph about the request: who, why, and the facts policy needs per child. */
export interface InternalContext {
  requestId: string;
  /** Null for the gateway's own calls (fact look-ups), which release no child fields. */
  user: PolicyUser | null;
  purpose: Purpose | null;
  breakGlass: boolean;
  /** Decision attributes of each child this request may touch, by NHS number. */
  children: Map<string, ChildAttributes>;
  /** When the signed context expires (epoch ms); set on verification. */
  expiresAt?: number;
  /** The context's own id (`jti`), unique to each signing; set on verification, so an agency can refuse a second use. */
  tokenId?: string;
}

/**
 * The hash a context binds its body by: the SHA-256 of the body exactly as sent (its JSON text), so a
 * captured context answers that one call and nothing else — no other fields, children or households.
 */
function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

const REL_CODE: Record<Relationship, string> = {
  NAMED: 'N',
  TEAM: 'T',
  DSL_ON_ROLL: 'D',
  LEAD_PRACTITIONER: 'L',
  NONE: '-',
};
const REL_OF: Record<string, Relationship> = Object.fromEntries(
  Object.entries(REL_CODE).map(([relationship, code]) => [code, relationship as Relationship]),
);

const list = (text: string | undefined): string[] => (text ? text.split(',') : []);

/**
 * Children grouped by identical attributes, keyed `<relationship><purpose supported>;<flagged by>;<unverified>`:
 * a 500-child caseload stays a few kilobytes.
 */
function encodeChildren(children: Map<string, ChildAttributes>): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const [nhs, a] of children) {
    (groups[
      `${REL_CODE[a.relationship]}${a.purposeSupported ? 1 : 0};${a.confidentialBy.join(',')};${a.locationUnverifiedBy.join(',')}`
    ] ??= []).push(nhs);
  }
  return groups;
}

function decodeChildren(groups: Record<string, string[]>): Map<string, ChildAttributes> {
  const out = new Map<string, ChildAttributes>();
  for (const [key, nhsNumbers] of Object.entries(groups)) {
    const [head = '', flagged, unverified] = key.split(';');
    const attributes: ChildAttributes = {
      relationship: REL_OF[head[0] ?? '-'] ?? 'NONE',
      purposeSupported: head[1] === '1',
      confidentialBy: list(flagged),
      locationUnverifiedBy: list(unverified),
    };
    for (const nhs of nhsNumbers) out.set(nhs, attributes);
  }
  return out;
}

/** The algorithm of an internal context: HMAC-SHA256 with a secret per agency. */
export const INTERNAL_CONTEXT_ALG = 'HS256';

/** One agency's internal-context secret (32 random bytes) and its key id. */
export interface ContextKey {
  kid: string;
  secret: Uint8Array;
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/**
 * Signs the context for one subgraph (the audience) with that agency's own secret, valid for
 * {@link INTERNAL_CONTEXT_TTL_SECONDS} and bound to the exact `body` it is sent with: a compact HS256 JWS,
 * verified by the agency with `fast-jwt`. Each agency holds only its own secret, so none can forge a context
 * for another (as with the gateway's ES256 key before, at a tenth of its cost per call on both sides).
 * Each signing has its own id (`jti`): a call is signed anew every time it is sent, retries included.
 */
export function signInternalContext(key: ContextKey, audience: string, context: InternalContext, body: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: INTERNAL_CONTEXT_ALG, kid: key.kid }));
  const payload = base64url(
    JSON.stringify({
      usr: context.user,
      pur: context.purpose,
      bg: context.breakGlass,
      rid: context.requestId,
      ch: encodeChildren(context.children),
      bh: bodyHash(body),
      jti: randomUUID(),
      iss: INTERNAL_ISSUER,
      aud: audience,
      iat: now,
      exp: now + INTERNAL_CONTEXT_TTL_SECONDS,
    }),
  );
  const mac = createHmac('sha256', key.secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${mac}`;
}

/** The oldest a context may be when it arrives (`iat` to now): its life and five seconds of clock skew. */
const MAX_AGE_SECONDS = INTERNAL_CONTEXT_TTL_SECONDS + 5;

interface ContextClaims {
  usr?: PolicyUser | null;
  pur?: Purpose | null;
  bg?: boolean;
  rid?: string;
  ch?: Record<string, string[]>;
  bh?: string;
  jti?: string;
  iat?: number;
  exp?: number;
}

type Verify = (token: string) => ContextClaims;

/**
 * One verifier per (secret, audience), made once. `fast-jwt` checks the HMAC with node:crypto, in the
 * call: jose's WebCrypto path cost a third of a millisecond per call (its key import and an async job),
 * the largest single cost of every agency's answer (`npm run bench:context`).
 */
const verifiers = new WeakMap<Uint8Array, Map<string, Verify>>();
function verifierOf(secret: Uint8Array, audience: string): Verify {
  let mine = verifiers.get(secret);
  if (!mine) verifiers.set(secret, (mine = new Map()));
  let verify = mine.get(audience);
  if (!verify) {
    verify = createVerifier({
      key: Buffer.from(secret),
      algorithms: [INTERNAL_CONTEXT_ALG],
      allowedIss: INTERNAL_ISSUER,
      allowedAud: audience,
      maxAge: MAX_AGE_SECONDS * 1000,
      // Named here, or a token without them would skip their checks.
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti', 'bh'],
      cache: false,
    }) as Verify;
    mine.set(audience, verify);
  }
  return verify;
}

/**
 * Verifies a signed context for `audience` with its secret, for the exact `body` it came with; throws on a
 * missing, forged, expired or other-audience token, and on one signed for any other body. A second use of
 * the same token is the agency's to refuse (by its `tokenId`, until `expiresAt`).
 */
export async function verifyInternalContext(
  secret: Uint8Array,
  audience: string,
  token: string | undefined,
  body: string,
): Promise<InternalContext> {
  if (!token) throw new Error('no signed internal context');
  const payload = verifierOf(secret, audience)(token);
  // Signed later than now, past the clock skew allowed: a context from the future is refused, as an old one is.
  if ((payload.iat ?? 0) > Date.now() / 1000 + MAX_AGE_SECONDS - INTERNAL_CONTEXT_TTL_SECONDS)
    throw new Error('the signed context was issued in the future');
  if (payload.bh !== bodyHash(body)) throw new Error('the signed context was not made for this body');
  return {
    requestId: String(payload.rid ?? ''),
    user: payload.usr ?? null,
    purpose: payload.pur ?? null,
    breakGlass: payload.bg === true,
    children: decodeChildren(payload.ch ?? {}),
    // When the verifier stops accepting it: at `exp`, or past `maxAge` after `iat` if that comes first.
    expiresAt: Math.min(payload.exp ?? 0, (payload.iat ?? 0) + MAX_AGE_SECONDS + 1) * 1000,
    tokenId: String(payload.jti),
  };
}
