import { existsSync } from 'node:fs';
import { decodeJwt, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { AGENCIES } from '@macpt/policies';
import { ensureKeyPair, KEY_ALG, keyPaths, readPublicJwk } from '@macpt/kit';

/** What an agency sends to the registry: its schema, its policy file and where it listens, signed by it. */
export interface SignedSubmission {
  agency: string;
  url: string;
  sdl: string;
  policy: string;
}

/** How long a signed submission may be replayed (it also names its own content, so only the same one). */
const MAX_AGE = '5m';

/** The name of an agency's publishing key pair in a keys folder. */
export const publishingKeyName = (agency: string) => `publish-${agency}`;

/** Signs a submission with the agency's own publishing key (an ES256 private JWK). */
export async function signSubmission(submission: SignedSubmission, privateJwk: JWK): Promise<string> {
  return new SignJWT({ ...submission })
    .setProtectedHeader({ alg: KEY_ALG, ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(`publisher:${submission.agency}`)
    .setIssuedAt()
    .setExpirationTime(MAX_AGE)
    .sign(await importJWK(privateJwk, KEY_ALG));
}

/**
 * The development publishing key of an agency (`data/keys/publish-<agency>.private.json`), generated on
 * first use; in production the agency's key is configured (`PUBLISH_PRIVATE_JWK`), never generated.
 */
export async function developmentPublishingKey(keysDir: string, agency: string): Promise<JWK> {
  return (await ensureKeyPair(keysDir, publishingKeyName(agency))).privateJwk;
}

/** Why a submission was refused before it was checked: code and words. */
export class SubmissionRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Verifies a signed submission: it names a known agency, is signed with that agency's publishing key
 * (the public half in `keysDir`), and is fresh. Another agency's key, an unknown agency, a stale or
 * altered submission: refused.
 */
export async function verifySubmission(
  token: unknown,
  keysDir: string,
  /** When it was received (a stored publication is checked as of its publication). */
  at: Date = new Date(),
): Promise<SignedSubmission> {
  if (typeof token !== 'string' || token.split('.').length !== 3)
    throw new SubmissionRefused(
      400,
      'SUBMISSION_MALFORMED',
      'Send {"submission": "<compact JWS>"} signed with your agency\'s publishing key.',
    );
  let claimed: Record<string, unknown>;
  try {
    claimed = decodeJwt(token);
  } catch {
    throw new SubmissionRefused(400, 'SUBMISSION_MALFORMED', 'The submission is not a signed JWT.');
  }
  const agency = claimed.agency;
  if (typeof agency !== 'string' || !(AGENCIES as readonly string[]).includes(agency))
    throw new SubmissionRefused(
      403,
      'UNKNOWN_AGENCY',
      `"${String(agency)}" is not an agency of this partnership: the registry accepts ${AGENCIES.join(', ')}.`,
    );
  const { publicFile } = keyPaths(keysDir, publishingKeyName(agency));
  if (!existsSync(publicFile))
    throw new SubmissionRefused(403, 'NO_PUBLISHING_KEY', `No publishing key is registered for ${agency}.`);
  try {
    const { payload } = await jwtVerify(token, await importJWK(readPublicJwk(publicFile), KEY_ALG), {
      issuer: `publisher:${agency}`,
      algorithms: [KEY_ALG],
      maxTokenAge: MAX_AGE,
      currentDate: at,
      requiredClaims: ['iat', 'exp'],
    });
    const { url, sdl, policy } = payload as Record<string, unknown>;
    if (typeof url !== 'string' || typeof sdl !== 'string' || typeof policy !== 'string')
      throw new SubmissionRefused(400, 'SUBMISSION_MALFORMED', 'The submission needs url, sdl and policy.');
    return { agency, url, sdl, policy };
  } catch (error) {
    if (error instanceof SubmissionRefused) throw error;
    const code = (error as { code?: string }).code;
    throw new SubmissionRefused(
      403,
      'BAD_SIGNATURE',
      code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
        ? `The submission for ${agency} is stale (signed more than 5 minutes ago): sign it again.`
        : `The submission is not signed with ${agency}'s publishing key.`,
    );
  }
}
