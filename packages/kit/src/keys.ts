import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** An ES256 key pair as JWKs, with the key id both halves carry. */
export interface KeyPairFiles {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

const ALG = 'ES256';

/** Paths of a named key pair in a keys folder. */
export function keyPaths(dir: string, name: string): { privateFile: string; publicFile: string } {
  return { privateFile: join(dir, `${name}.private.json`), publicFile: join(dir, `${name}.public.json`) };
}

/**
 * Writes a private file (mode 0600) unless it exists: a hard link that fails if another process won,
 * so processes starting together agree on one content.
 */
function createOnce(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Returns the named ES256 key pair in `dir`, generating it on first use. Creation is atomic (a hard
 * link that fails if another process won), so processes starting together agree on one key.
 */
export async function ensureKeyPair(dir: string, name: string): Promise<KeyPairFiles> {
  const { privateFile, publicFile } = keyPaths(dir, name);
  if (!existsSync(privateFile)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = `${name}-${Date.now().toString(36)}`;
    const pair: KeyPairFiles = {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG },
    };
    createOnce(privateFile, JSON.stringify(pair));
  }
  const pair = JSON.parse(readFileSync(privateFile, 'utf8')) as KeyPairFiles;
  if (!existsSync(publicFile)) {
    const tmp = `${publicFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(pair.publicJwk));
    renameSync(tmp, publicFile);
  }
  return pair;
}

/** A shared secret (HMAC-SHA256) with its key id: base64url, 32 random bytes. */
export interface SecretFile {
  kid: string;
  k: string;
}

/**
 * Returns the named secret in `dir`, generating it on first use (mode 0600). Created atomically like
 * {@link ensureKeyPair}, so processes starting together agree on one secret.
 */
export function ensureSecret(dir: string, name: string): SecretFile {
  const file = join(dir, `${name}.secret.json`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const secret: SecretFile = { kid: `${name}-${Date.now().toString(36)}`, k: randomBytes(32).toString('base64url') };
    createOnce(file, JSON.stringify(secret));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as SecretFile;
}

/** Reads a public JWK file (e.g. the gateway's internal-context key, for a subgraph). */
export function readPublicJwk(file: string): JWK {
  mkdirSync(dirname(file), { recursive: true });
  return JSON.parse(readFileSync(file, 'utf8')) as JWK;
}

/** Imports a JWK as a signing or verification key. */
export async function importKey(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK(jwk, ALG)) as CryptoKey;
}

export { ALG as KEY_ALG };
