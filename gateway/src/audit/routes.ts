import type { IncomingMessage } from 'node:http';
import { isNhsNumber, type Route } from '@macpt/kit';
import type { GatewayContext } from '../context.js';
import type { DisclosureStore } from '../disclosure/store.js';
import { requireIgLead } from './access.js';
import { toBundle, toCsv } from './fhir.js';
import { subjectRecords } from './resolvers.js';

/** What a download route needs: the same authentication as GraphQL, and fail-closed logging of the download. */
export interface DownloadDeps {
  store: DisclosureStore;
  authenticate: (req: IncomingMessage) => Promise<GatewayContext>;
  /** Records the download as an IG query; throws when it cannot be recorded. */
  recordDownload: (ctx: GatewayContext, query: Record<string, unknown>) => Promise<void>;
}

/** A download refused or failed, as a JSON error with its status (unknown errors masked). */
export const routeFailure = (error: unknown) => {
  const e = error as { message: string; extensions?: { code?: string; http?: { status?: number } } };
  const code = e.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  const status =
    e.extensions?.http?.status ??
    (code === 'FORBIDDEN_BY_POLICY' ? 403 : code === 'DISCLOSURE_LOG_UNAVAILABLE' ? 503 : 500);
  return {
    status,
    body: {
      errors: [
        { message: code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : e.message, extensions: { code } },
      ],
    },
  };
};

/** `GET /audit/subject-access.csv?nhsNumber=` and `GET /audit/subject-access.fhir.json?nhsNumber=` for IG leads. */
export function downloadRoutes(deps: DownloadDeps): Record<string, Route> {
  const report =
    (format: 'csv' | 'fhir'): Route =>
    async (req): ReturnType<Route> => {
      try {
        const ctx = await deps.authenticate(req);
        requireIgLead(ctx);
        const nhsNumber = new URL(req.url ?? '/', 'http://localhost').searchParams.get('nhsNumber') ?? '';
        if (!isNhsNumber(nhsNumber))
          return {
            status: 400,
            body: {
              errors: [{ message: 'nhsNumber: not a valid NHS number', extensions: { code: 'BAD_USER_INPUT' } }],
            },
          };
        const records = await subjectRecords(deps.store, ctx, nhsNumber);
        await deps.recordDownload(ctx, { operation: `subjectAccessReport.${format}`, nhsNumber });
        if (format === 'csv')
          return {
            status: 200,
            body: toCsv(nhsNumber, records),
            headers: {
              'content-type': 'text/csv; charset=utf-8',
              'content-disposition': `attachment; filename="subject-access-${nhsNumber}.csv"`,
            },
          };
        return {
          status: 200,
          body: toBundle(records),
          headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
        };
      } catch (error) {
        return routeFailure(error);
      }
    };
  return { '/audit/subject-access.csv': report('csv'), '/audit/subject-access.fhir.json': report('fhir') };
}
