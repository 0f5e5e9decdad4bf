import { codedError, isNhsNumber, type Route } from '@macpt/kit';
import type { DisclosureStore } from '../disclosure/store.js';
import { recordedRoute, type RecordedRouteDeps, type RouteAnswer } from '../pipeline/recorded-route.js';
import { requireIgLead } from './access.js';
import { toBundle, toCsv } from './fhir.js';
import { subjectRecords } from './resolvers.js';

/** What a download route needs: the same pipeline as GraphQL, and fail-closed recording of every answer. */
export interface DownloadDeps extends RecordedRouteDeps {
  store: DisclosureStore;
}

/**
 * `GET /audit/subject-access.csv?nhsNumber=` and `GET /audit/subject-access.fhir.json?nhsNumber=` for IG
 * leads: each download an IG query on the record before it leaves, each refusal a refusal on the record.
 */
export function downloadRoutes(deps: DownloadDeps): Record<string, Route> {
  const report = (format: 'csv' | 'fhir'): Route =>
    recordedRoute(deps, `subjectAccessReport.${format}`, async (req, ctx): Promise<RouteAnswer> => {
      requireIgLead(ctx);
      const nhsNumber = new URL(req.url ?? '/', 'http://localhost').searchParams.get('nhsNumber') ?? '';
      if (!isNhsNumber(nhsNumber)) throw codedError('BAD_USER_INPUT', 'nhsNumber: not a valid NHS number');
      const records = await subjectRecords(deps.store, ctx, nhsNumber);
      const query = { operation: `subjectAccessReport.${format}`, nhsNumber };
      if (format === 'csv')
        return {
          status: 200,
          body: toCsv(nhsNumber, records),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="subject-access-${nhsNumber}.csv"`,
          },
          query,
        };
      return {
        status: 200,
        body: toBundle(records),
        headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
        query,
      };
    });
  return { '/audit/subject-access.csv': report('csv'), '/audit/subject-access.fhir.json': report('fhir') };
}
