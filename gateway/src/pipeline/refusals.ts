import { codedError, ERROR_CODES, type Answer, type Logger } from '@macpt/kit';
import type { GraphQLError } from 'graphql';
import { refusalBeforeContext } from '../disclosure/drafts.js';
import type { GroupCommitter } from '../disclosure/group-commit.js';
import { statesBreakGlass, type RequestIdentity } from './identify.js';

/** The one error a request gets, answer or refusal, when its record could not be written (its request id names no record). */
export const LOG_UNAVAILABLE = {
  message:
    'The disclosure record of this request could not be written, so nothing about it was sent. Try again shortly; IG has been alerted in the gateway log.',
  extensions: { code: 'DISCLOSURE_LOG_UNAVAILABLE' },
} as const;

/** {@link LOG_UNAVAILABLE} thrown while the context is made. */
export const logUnavailable = (): GraphQLError =>
  codedError('DISCLOSURE_LOG_UNAVAILABLE', LOG_UNAVAILABLE.message, {}, { refusesRequest: true });

/** {@link LOG_UNAVAILABLE} as a plain HTTP answer. */
export const logUnavailableAnswer = (): Answer => ({
  status: ERROR_CODES.DISCLOSURE_LOG_UNAVAILABLE.status,
  body: { errors: [LOG_UNAVAILABLE] },
});

/**
 * Records a request refused before execution, with whatever is known of who asked; a request that
 * states EMERGENCY is break-glass whatever refused it (IG reviews every attempt). Rejects when the
 * record could not be written: the refusal must then not be answered as if it were on the record.
 */
export function refusalRecorder(committer: GroupCommitter | null, logger: Logger) {
  return async (identity: RequestIdentity, code: string): Promise<void> => {
    if (!committer) return;
    const user = await identity.userIfKnown();
    const record = refusalBeforeContext(identity, user, statesBreakGlass(identity), code);
    await committer.append(record).catch((e: Error) => {
      logger.error({ requestId: identity.requestId, err: e.message, code }, 'refusal not recorded; answered 503');
      throw e;
    });
  };
}
