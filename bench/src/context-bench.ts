import { randomBytes } from 'node:crypto';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { signInternalContext, verifyInternalContext, type InternalContext } from '@macpt/contract';

// `npm run bench:context`: what signing and verifying one internal context costs, per call, side by
// side in one process: the ES256 key pair the gateway used before issue #16, and the HS256 secret per
// agency it uses now (written with node:crypto's HMAC, verified by jose).

const N = 5_000;
const context: InternalContext = {
  requestId: 'r-1',
  user: { id: 'lcpp-leicester-1', role: 'LCPP', agency: 'social-care', la: 'LEICESTER' },
  purpose: 'SECTION_47_ENQUIRY',
  breakGlass: false,
  children: new Map([
    ['9990000018', { relationship: 'NAMED', purposeSupported: true, confidentialBy: [], locationUnverifiedBy: [] }],
  ]),
};
const claims = { usr: context.user, pur: context.purpose, bg: false, rid: 'r-1', ch: { 'N1;;': ['9990000018'] } };

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
const hsToken = signInternalContext(key, 'health', context);

const rows: [string, number, number][] = [
  [
    'ES256 (jose), before',
    await cpuMsPerCall(es256),
    await cpuMsPerCall(() => jwtVerify(esToken, publicKey, { issuer: 'urn:macpt:gateway', audience: 'health' })),
  ],
  [
    'HS256, a secret per agency, now',
    await cpuMsPerCall(() => signInternalContext(key, 'health', context)),
    await cpuMsPerCall(() => verifyInternalContext(key.secret, 'health', hsToken)),
  ],
];
console.log(`internal context, CPU ms per call (Node ${process.version}, ${N} calls each, after 500 unmeasured)`);
console.log(`  ${'scheme'.padEnd(34)} ${'sign'.padStart(8)} ${'verify'.padStart(8)}`);
for (const [name, sign, verify] of rows)
  console.log(`  ${name.padEnd(34)} ${sign.toFixed(3).padStart(8)} ${verify.toFixed(3).padStart(8)}`);
console.log(
  `  ratio now/before: sign ${(rows[1]![1] / rows[0]![1]).toFixed(2)}, verify ${(rows[1]![2] / rows[0]![2]).toFixed(2)}`,
);
