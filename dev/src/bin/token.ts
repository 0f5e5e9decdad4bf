import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signDevToken } from '@macpt/gateway/dev-issuer';
import type { Persona } from '@macpt/synthetic';
import { REPO_ROOT, writePersonas } from '../stack.js';

// `npm run -s token -- --list` prints the demo personas; `npm run -s token -- <id>` prints a token for one.
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    list: { type: 'boolean', default: false },
    ttl: { type: 'string', default: '8h' },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? join(REPO_ROOT, 'data') },
  },
});
const dataDir = values['data-dir'];
const file = join(dataDir, 'personas.json');
const personas: Persona[] = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { personas: Persona[] }).personas
  : writePersonas(dataDir, {
      seed: Number(process.env.SEED ?? 1),
      children: Number(process.env.CHILDREN ?? 10_000),
      asOf: process.env.AS_OF ?? new Date().toISOString().slice(0, 10),
    });

if (values.list) {
  for (const p of personas) console.log(JSON.stringify(p));
} else {
  const id = positionals[0];
  const persona = personas.find((p) => p.id === id);
  if (!persona) {
    console.error(`No persona ${JSON.stringify(id ?? '')}. List them with: npm run -s token -- --list`);
    process.exit(2);
  }
  console.log(
    await signDevToken(
      dataDir,
      {
        sub: persona.sub,
        name: persona.name,
        role: persona.role,
        agency: persona.agency,
        la: persona.la,
        school: persona.school ?? null,
      },
      { ttl: values.ttl },
    ),
  );
}
