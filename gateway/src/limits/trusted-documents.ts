import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentHash } from './operation-limits.js';

/** Registered operations: SHA-256 of the exact text → operation file. */
export type TrustedManifest = Record<string, { name: string; file: string }>;

/** Builds the manifest from a folder of `.graphql` operation files (each dashboard registers its own). */
export function buildManifest(dir: string): TrustedManifest {
  const manifest: TrustedManifest = {};
  if (!existsSync(dir)) return manifest;
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    const name = /\b(?:query|mutation)\s+(\w+)/.exec(text)?.[1] ?? file;
    manifest[documentHash(text)] = { name, file };
  }
  return manifest;
}

/** Reads a manifest file; an absent file is an empty manifest. */
export function readManifest(file: string): TrustedManifest {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TrustedManifest) : {};
}
