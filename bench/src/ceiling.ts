import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { Pool } from 'undici';

// Contender (f), the ceiling: the agency subgraphs asked directly for the same entity batches the
// query plan sends — no parsing, validation, planning or merging. POST {"op": name, "nhsNumbers": [...]}.
const supergraph = Supergraph.build(readFileSync(process.env.SUPERGRAPH_FILE!, 'utf8'));
const planner = new QueryPlanner(supergraph);
const agencies = JSON.parse(process.env.CEILING_AGENCIES!) as Record<string, string>;
const operations = JSON.parse(process.env.CEILING_OPERATIONS!) as Record<string, string>;
const pools = Object.fromEntries(
  Object.entries(agencies).map(([name, url]) => [
    name,
    { pool: new Pool(new URL(url).origin, { connections: 64 }), path: new URL(url).pathname },
  ]),
);

function entityFetches(node: PlanNode | undefined, out: { service: string; query: string }[] = []) {
  if (!node) return out;
  if (node.kind === 'Fetch') {
    if (agencies[node.serviceName] && node.requires) out.push({ service: node.serviceName, query: node.operation });
  } else if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach((n) => entityFetches(n, out));
  else if (node.kind === 'Flatten') entityFetches(node.node, out);
  return out;
}

const plans = Object.fromEntries(
  Object.entries(operations).map(([name, text]) => [
    name,
    entityFetches(
      planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(text), { operationName: name }))
        .node as PlanNode | undefined,
    ),
  ]),
);

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let asked: { op?: unknown; nhsNumbers?: unknown };
  try {
    asked = JSON.parse(Buffer.concat(chunks).toString());
  } catch {
    asked = {};
  }
  const { op, nhsNumbers } = asked;
  // Anything but the harness's own request is refused, not a crash of the contender mid-run.
  if (typeof op !== 'string' || !Array.isArray(nhsNumbers) || !nhsNumbers.every((n) => typeof n === 'string')) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"POST {\"op\", \"nhsNumbers\"}"}');
    return;
  }
  const representations = nhsNumbers.map((nhsNumber) => ({ __typename: 'Child', nhsNumber }));
  const bodies = await Promise.all(
    (plans[op] ?? []).map(async (f) => {
      const target = pools[f.service]!;
      const r = await target.pool.request({
        path: target.path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: f.query, variables: { representations } }),
      });
      return r.body.text();
    }),
  );
  const text = `[${bodies.join(',')}]`;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(
    JSON.stringify({
      msg: 'ceiling ready',
      fetches: Object.fromEntries(Object.entries(plans).map(([k, v]) => [k, v.map((f) => f.service)])),
    }),
  ),
);
