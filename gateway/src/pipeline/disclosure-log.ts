import type { ApolloServerPlugin } from '@apollo/server';
import { ATTR, ERROR_CODES, noteOnSpan, type Logger } from '@macpt/kit';
import type { PolicyEngine } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { agenciesOf, childDisclosures, draft, outcomeOf, refusalOutcome } from '../disclosure/build.js';
import { chargeOf, rateLimitedRecord, requestFacts } from '../disclosure/drafts.js';
import type { GroupCommitter } from '../disclosure/group-commit.js';
import { RateLimitedError } from '../limits/rate-limit.js';
import type { RecordDraft } from '../disclosure/record.js';
import { rateLimited } from './rate-limit.js';
import { LOG_UNAVAILABLE } from './refusals.js';
import type { Stage } from './stage.js';

/**
 * Disclosure log, fail closed: before any response leaves (one that names a child, answers an IG query,
 * or says nothing about any child),
 * its record is durably written; if it cannot be, the response is replaced by
 * DISCLOSURE_LOG_UNAVAILABLE (503) and carries no child data. Refused requests are recorded too, and
 * answered the same way when their record cannot be written.
 */
export function useDisclosureLog(committer: GroupCommitter, engine: PolicyEngine, logger: Logger): Stage {
  return { name: 'disclosure log', plugin: disclosureLogPlugin(committer, engine, logger) };
}

function disclosureLogPlugin(
  committer: GroupCommitter,
  engine: PolicyEngine,
  logger: Logger,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const ctx = rc.contextValue;
          // The request id ties a response to its disclosure record (and to every agency's log line).
          rc.response.http.headers.set('x-request-id', ctx.requestId);
          const body = rc.response.body;
          if (body.kind !== 'single' || ctx.recorded) return;
          const facts = requestFacts(ctx, rc.operationName ?? rc.request.operationName, rc.queryHash);
          let record: RecordDraft;
          // Case ids asked for by `case(id)`: an unknown or refused case is an attempt IG may look for.
          const { ledger } = ctx;
          const asked = ledger.askedCases.length > 0 ? { query: { caseIds: ledger.askedCases } } : {};
          if (ctx.audit) {
            record = draft('IG_QUERY', facts, body.singleResult.errors?.length ? 'PARTIAL' : 'DISCLOSED', {
              query: ctx.audit,
            });
          } else {
            const children = childDisclosures(ctx.disclosure, ledger, engine);
            if (children.length > 0) {
              const outcome = outcomeOf(children);
              const unavailable = [
                ...new Set(
                  (body.singleResult.errors ?? [])
                    .filter(
                      (e) => e.extensions?.code === 'AGENCY_UNAVAILABLE' && typeof e.extensions.agency === 'string',
                    )
                    .map((e) => e.extensions!.agency as string),
                ),
              ].sort();
              record = draft('DISCLOSURE', facts, outcome, {
                children,
                agencies: agenciesOf(children),
                ...asked,
                ...(unavailable.length > 0 ? { unavailable } : {}),
              });
            } else if (body.singleResult.errors?.length || ctx.breakGlass) {
              // Refused before any child was named (an unknown case, a query that did not validate), or a
              // break-glass request that reached nothing: each is on the record, break-glass in IG's review queue.
              const code = String(body.singleResult.errors?.[0]?.extensions?.code ?? 'NOTHING_DISCLOSED');
              record = draft('REFUSAL', facts, refusalOutcome(code), {
                reason: code,
                ...asked,
              });
            } else {
              // Answered with nothing about any child (an empty inbox, an empty list): its request id names a record too.
              record = draft('DISCLOSURE', facts, 'NOTHING_DISCLOSED', asked);
            }
          }
          try {
            try {
              // The request is charged to its user's limits in the same write (issue #27).
              await committer.append(record, chargeOf(ctx));
            } catch (error) {
              if (!(error instanceof RateLimitedError)) throw error;
              // Past a limit: nothing of the answer leaves, and the refusal is on the record instead.
              const refused = rateLimited(error.refusal);
              const { http: _status, ...extensions } = refused.extensions;
              record = { ...rateLimitedRecord(facts, ledger, engine), ...asked };
              await committer.append(record);
              body.singleResult = { errors: [{ message: refused.message, extensions }] };
              rc.response.http.status = 429;
              rc.response.http.headers.set('retry-after', String(error.refusal.retryAfterSeconds));
            }
            // Logs, traces and the disclosure log share the request id; the trace names its record too.
            noteOnSpan({ [ATTR.requestId]: ctx.requestId, [ATTR.recordId]: record.id });
            logger.info(
              { requestId: ctx.requestId, record: record.id, kind: record.kind, outcome: record.outcome },
              'request answered and recorded',
            );
          } catch (error) {
            logger.error(
              { requestId: ctx.requestId, err: (error as Error).message },
              'disclosure record not written; response withheld',
            );
            // Data or not: a refusal answered without its record would carry a request id that names nothing.
            body.singleResult = { errors: [{ ...LOG_UNAVAILABLE }] };
            rc.response.http.status = ERROR_CODES.DISCLOSURE_LOG_UNAVAILABLE.status;
          }
        },
      };
    },
  };
}
