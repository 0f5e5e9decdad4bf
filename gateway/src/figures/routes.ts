import type { Route } from '@macpt/kit';
import { recordedRoute, type RecordedRouteDeps } from '../pipeline/recorded-route.js';
import { figuresCsv, partnershipFigures, type FiguresDeps } from './service.js';

/**
 * `GET /figures.csv?la=&from=&to=`: the partnership figures as CSV, computed and suppressed exactly as
 * the GraphQL query does; recorded first (an IG query, or the refusal), nothing sent if it cannot be.
 */
export function figuresRoutes(deps: FiguresDeps & RecordedRouteDeps): Record<string, Route> {
  return {
    '/figures.csv': recordedRoute(deps, 'partnershipFigures.csv', async (req, ctx) => {
      const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const figures = await partnershipFigures(deps, ctx, {
        la: q.get('la') ?? '',
        from: q.get('from') ?? '',
        to: q.get('to') ?? '',
      });
      return {
        status: 200,
        body: figuresCsv(figures.periods, figures.tables),
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="partnership-figures-${figures.la.toLowerCase()}-${figures.from}-${figures.to}.csv"`,
        },
        query: ctx.audit ?? {},
      };
    }),
  };
}
