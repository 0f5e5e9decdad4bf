import { randomBytes } from 'node:crypto';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { signInternalContext, verifyInternalContext, type InternalContext } from '@macpt/contract';

// `npm run bench:context`: what signing and verifying one internal context costs, per call, side by
// side in one process: the ES256 key pair the gateway used before issue #16, and the HS256 secret per
// agency it uses now (written with node:crypto's HMAC, verified by fast-jwt; by jose before 2026-12-07, 0.33 ms a call), bound to the call's body (its
// SHA-256 in the claims, issue #25): for one child's entity fetch, and for a 500-child caseload's.

const N = 5_000;
const named = { relationship: 'NAMED', purposeSupported: true, confidentialBy: [], locationUnverifiedBy: [] } as const;
const contextOf = (nhsNumbers: string[]): InternalContext => ({
  requestId: 'r-1',
  user: { id: 'lcpp-leicester-1', role: 'LCPP', agency: 'social-care', la: 'LEICESTER' },
  purpose: 'SECTION_47_ENQUIRY',
  breakGlass: false,
  children: new Map(nhsNumbers.map((n) => [n, named])),
});
/** An entity fetch as the gateway sends it: the query plan's selection and one representation per child. */
const bodyOf = (nhsNumbers: string[]) =>
  JSON.stringify({
    query:
      'query ChildView__health__1($representations:[_Any!]!){_entities(representations:$representations){...on Child{health{name dateOfBirth address postcode gpPractice{odsCode name}aeAttendances{id date reason}camhs{referralDate concern}}}}}',
    variables: { representations: nhsNumbers.map((nhsNumber) => ({ __typename: 'Child', nhsNumber })) },
    operationName: 'ChildView__health__1',
  });
const one = ['9990000018'];
const caseload = Array.from({ length: 500 }, (_, i) => String(9990000000 + i * 7));
const context = contextOf(one);
const claims = { usr: context.user, pur: context.purpose, bg: false, rid: 'r-1', ch: { 'N1;;': one } };

async function cpuMsPerCall(run: () => unknown): Promise<number> {
  for (let i = 0; i < 500; i++) await run();
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / N;
}

const { privateKey, publicKey } = await generateKeyPair('ES256');
const es256 = () =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'internal-context' })
    .setIssuer('urn:macpt:gateway')
    .setAudience('health')
    .setIssuedAt()
    .setExpirationTime('30s')
    .sign(privateKey);
const esToken = await es256();
const key = { kid: 'internal-context-health', secret: randomBytes(32) };
const hs256 = (nhsNumbers: string[]) => {
  const ctx = contextOf(nhsNumbers);
  const body = bodyOf(nhsNumbers);
  const token = signInternalContext(key, 'health', ctx, body);
  return {
    sign: () => signInternalContext(key, 'health', ctx, body),
    verify: () => verifyInternalContext(key.secret, 'health', token, body),
    bytes: body.length,
  };
};
const small = hs256(one);
const large = hs256(caseload);

const rows: [string, number, number][] = [
  [
    'ES256 (jose), before',
    await cpuMsPerCall(es256),
    await cpuMsPerCall(() => jwtVerify(esToken, publicKey, { issuer: 'urn:macpt:gateway', audience: 'health' })),
  ],
  [
    `HS256 + body, 1 child (${(small.bytes / 1024).toFixed(1)} KB)`,
    await cpuMsPerCall(small.sign),
    await cpuMsPerCall(small.verify),
  ],
  [
    `HS256 + body, 500 children (${(large.bytes / 1024).toFixed(0)} KB)`,
    await cpuMsPerCall(large.sign),
    await cpuMsPerCall(large.verify),
  ],
];
console.log(`internal context, CPU ms per call (Node ${process.version}, ${N} calls each, after 500 unmeasured)`);
console.log(`  ${'scheme'.padEnd(38)} ${'sign'.padStart(8)} ${'verify'.padStart(8)}`);
for (const [name, sign, verify] of rows)
  console.log(`  ${name.padEnd(38)} ${sign.toFixed(3).padStart(8)} ${verify.toFixed(3).padStart(8)}`);
console.log(
  `  ratio now (1 child)/before: sign ${(rows[1]![1] / rows[0]![1]).toFixed(2)}, verify ${(rows[1]![2] / rows[0]![2]).toFixed(2)}`,
);
