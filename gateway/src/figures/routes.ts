import type { IncomingMessage } from 'node:http';
import type { Route } from '@macpt/kit';
import { routeFailure } from '../audit/routes.js';
import type { GatewayContext } from '../context.js';
import { figuresCsv, partnershipFigures, type FiguresDeps } from './service.js';

/**
 * `GET /figures.csv?la=&from=&to=`: the partnership figures as CSV, computed and suppressed exactly as
 * the GraphQL query does; recorded first (an IG query, or the refusal), nothing sent if it cannot be.
 */
export function figuresRoutes(
  deps: FiguresDeps & {
    authenticate: (req: IncomingMessage) => Promise<GatewayContext>;
    /** Records the download (or its refusal, with the error code); throws when it cannot be recorded. */
    record: (ctx: GatewayContext, refusedWith: string | null) => Promise<void>;
  },
): Record<string, Route> {
  return {
    '/figures.csv': async (req) => {
      let ctx: GatewayContext | undefined;
      try {
        ctx = await deps.authenticate(req);
        const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const figures = await partnershipFigures(deps, ctx, {
          la: q.get('la') ?? '',
          from: q.get('from') ?? '',
          to: q.get('to') ?? '',
        });
        await deps.record(ctx, null);
        return {
          status: 200,
          body: figuresCsv(figures.periods, figures.tables),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="partnership-figures-${figures.la.toLowerCase()}-${figures.from}-${figures.to}.csv"`,
          },
        };
      } catch (error) {
        const code = (error as { extensions?: { code?: string } }).extensions?.code;
        if (ctx && code && code !== 'DISCLOSURE_LOG_UNAVAILABLE') await deps.record(ctx, code).catch(() => undefined);
        return routeFailure(error);
      }
    },
  };
}
