import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildManifest } from './trusted-documents.js';

// Build step: register every operation under gateway/operations/ in gateway/trusted-documents.json.
const dir = fileURLToPath(new URL('../../operations', import.meta.url));
const out = fileURLToPath(new URL('../../trusted-documents.json', import.meta.url));
const manifest = buildManifest(dir);
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`registered ${Object.keys(manifest).length} trusted documents in ${out}`);
