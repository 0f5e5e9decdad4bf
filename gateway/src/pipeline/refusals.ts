import type { Logger } from '@macpt/kit';
import { draft, refusalOutcome } from '../disclosure/build.js';
import type { GroupCommitter } from '../disclosure/group-commit.js';
import type { RequestIdentity } from './identify.js';

/** Records a request refused before execution, with whatever is known of who asked (best effort: a refusal carries no child data). */
export function refusalRecorder(committer: GroupCommitter | null, logger: Logger) {
  return async (identity: RequestIdentity, code: string): Promise<void> => {
    if (!committer) return;
    const user = await identity.userIfKnown();
    const facts = {
      requestId: identity.requestId,
      user,
      purpose: identity.statedPurpose,
      justification: null,
      breakGlass: false,
      operationName: null,
      operationHash: null,
      clientName: identity.clientName,
    };
    await committer
      .append(draft('REFUSAL', facts, refusalOutcome(code), { reason: code }))
      .catch((e: Error) => logger.warn({ err: e.message }, 'refusal not recorded'));
  };
}
