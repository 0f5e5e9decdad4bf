import type { Route } from '@macpt/kit';
import type { SchemaRegistry } from './service.js';
import { SubmissionRefused } from './signature.js';

/** Answers a refusal as JSON: its code and words, and the check report when there is one. */
function refusal(error: unknown) {
  if (!(error instanceof SubmissionRefused)) throw error;
  const report = (error as { report?: unknown }).report;
  return {
    status: error.status,
    body: { error: { code: error.code, message: error.message }, ...(report ? { report } : {}) },
  };
}

/**
 * The registry's routes: a signed dry run (`POST /registry/check`) and a signed publication
 * (`POST /registry/publications`), each `{"submission": "<JWS signed with the agency's publishing key>"}`.
 */
export function registryRoutes(registry: SchemaRegistry): Record<string, Route> {
  const signed = (req: { method?: string | undefined }, body: unknown) => {
    if (req.method !== 'POST')
      throw new SubmissionRefused(405, 'METHOD_NOT_ALLOWED', 'POST {"submission": "<signed submission>"}');
    return (body as { submission?: unknown } | undefined)?.submission;
  };
  return {
    // What is in force per agency: its publication (or the deployment's bundled subgraph) and hashes.
    '/registry/in-force': async () => {
      try {
        return { status: 200, body: { agencies: await registry.inForceSummary() } };
      } catch (error) {
        return refusal(error);
      }
    },
    '/registry/check': async (req, body) => {
      try {
        return { status: 200, body: { report: await registry.checkSigned(signed(req, body)) } };
      } catch (error) {
        return refusal(error);
      }
    },
    '/registry/publications': async (req, body) => {
      try {
        return { status: 201, body: await registry.publish(signed(req, body)) };
      } catch (error) {
        return refusal(error);
      }
    },
  };
}
