import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { discoverSubgraphs } from '../supergraph/subgraphs.js';
import type { CheckReport } from './checks.js';
import { impactLines } from './service.js';
import { developmentPublishingKey, signSubmission } from './signature.js';

// npm run -s subgraph -- check|publish <agency> [--schema FILE] [--policy FILE] [--url URL] [--json]
// Checks (a signed dry run) or publishes an agency's subgraph at the gateway's schema registry.

const USAGE = `usage: npm run -s subgraph -- check|publish <agency> [--schema FILE] [--policy FILE] [--url URL] [--json]

  check     what publishing would do, against what is published now: problems and policy impact
  publish   the same checks, then the schema and policy file, signed with the agency's publishing key

  --schema  the subgraph's schema (default subgraphs/<agency>/schema.graphql)
  --policy  its sharing policy file (default policies/agencies/<agency>.yaml)
  --url     where the subgraph listens (default http://127.0.0.1:<its defaultPort>/graphql)
  --json    the report as JSON

  GATEWAY_URL          the gateway hosting the registry (default http://127.0.0.1:4000)
  PUBLISH_PRIVATE_JWK  the agency's publishing key (production); unset in development: data/keys/publish-<agency>.private.json

exit status: 0 passed (published: in force or pending), 1 checks failed, 2 refused or bad usage, 3 registry unreachable`;

const EXIT = { ok: 0, failed: 1, refused: 2, unreachable: 3 };

function fail(message: string, code = EXIT.refused): never {
  console.error(message);
  process.exit(code);
}

function describe(report: CheckReport): string {
  const lines = [`${report.agency}: ${report.ok ? 'checks passed' : 'checks FAILED'}`];
  if (report.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const p of report.problems) lines.push(`  ✗ ${p.kind}: ${p.message}`);
  }
  lines.push('', 'Policy impact (against what is published now):');
  if (report.impact.length === 0) lines.push('  none: no field becomes visible or stops being visible to anyone');
  for (const [i, line] of impactLines(report.impact).entries()) {
    lines.push(`  ${line}`);
    const byRole = new Map<string, string[]>();
    for (const a of report.impact[i]!.to) {
      const key = `${a.role} of ${a.agency}`;
      byRole.set(key, [...(byRole.get(key) ?? []), a.purpose]);
    }
    for (const [who, purposes] of byRole) lines.push(`      ${who}: ${purposes.join(', ')}`);
  }
  if (report.ok)
    lines.push(
      '',
      report.widens
        ? `Publishing makes fields newly visible: it waits for an IG lead of ${report.agency} to approve it.`
        : 'Publishing takes effect at once: nothing becomes newly visible.',
    );
  return lines.join('\n');
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      policy: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).valueOf() as {
    positionals: string[];
    values: { schema?: string; policy?: string; url?: string; json: boolean; help: boolean };
  };
  const [command, agency] = positionals;
  if (values.help) return console.log(USAGE);
  if ((command !== 'check' && command !== 'publish') || !agency) fail(USAGE);
  const root = resolve(import.meta.dirname, '../../..');
  const bundled = discoverSubgraphs(root).find((s) => s.name === agency);
  const schemaFile = values.schema ?? join(root, 'subgraphs', agency, 'schema.graphql');
  const policyFile = values.policy ?? join(root, 'policies', 'agencies', `${agency}.yaml`);
  for (const file of [schemaFile, policyFile]) if (!existsSync(file)) fail(`${file}: no such file`);
  const url = values.url ?? bundled?.url;
  if (!url) fail(`--url: where does ${agency}'s subgraph listen? (it has no bundled default)`);

  let key: JWK;
  if (process.env.PUBLISH_PRIVATE_JWK) {
    try {
      key = JSON.parse(process.env.PUBLISH_PRIVATE_JWK) as JWK;
    } catch {
      fail('PUBLISH_PRIVATE_JWK: not a JSON private key');
    }
  } else if (process.env.NODE_ENV === 'production') {
    fail("PUBLISH_PRIVATE_JWK: production needs the agency's configured publishing key");
  } else {
    key = await developmentPublishingKey(join(resolve(process.env.DATA_DIR ?? join(root, 'data')), 'keys'), agency);
  }
  const submission = await signSubmission(
    { agency, url, sdl: readFileSync(schemaFile, 'utf8'), policy: readFileSync(policyFile, 'utf8') },
    key,
  );
  const gateway = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000').replace(/\/(graphql)?$/, '');
  let response: Response;
  try {
    response = await fetch(`${gateway}/registry/${command === 'check' ? 'check' : 'publications'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ submission }),
    });
  } catch (error) {
    fail(
      `The registry at ${gateway} could not be reached (${(error as Error).message}): is the gateway running?`,
      EXIT.unreachable,
    );
  }
  const body = (await response.json().catch(() => ({}))) as {
    report?: CheckReport;
    publication?: { id: string; status: string };
    error?: { code: string; message: string };
  };
  if (values.json) console.log(JSON.stringify({ status: response.status, ...body }, null, 2));
  else {
    if (body.report) console.log(describe(body.report));
    if (body.error) console.error(`\n${body.error.code}: ${body.error.message}`);
    if (body.publication)
      console.log(
        `\nPublished ${agency} as ${body.publication.id}: ${body.publication.status === 'ACTIVE' ? 'in force (every gateway within seconds)' : 'PENDING an IG lead of the agency (approveSchemaChange)'}`,
      );
  }
  if (response.status === 503) process.exit(EXIT.unreachable);
  if (body.report && !body.report.ok) process.exit(EXIT.failed);
  if (!response.ok) process.exit(EXIT.refused);
}

await main();
