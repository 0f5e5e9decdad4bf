import { codedError, nhsNumberProblem } from '@macpt/kit';
import {
  admissionRefusal,
  childAttributes,
  forbidden,
  mayLearnChildUnknown,
  type ChildAttributes,
  type Purpose,
} from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { ChildFacts } from '../facts/child-facts.js';

/** A child let in to this request: its facts and the asker's decision attributes for it. */
export interface Admitted {
  nhsNumber: string;
  facts: ChildFacts;
  attributes: ChildAttributes;
}

/** A door's refusal about identity (whether the child may be named at all): the gateway's own. */
export const refusedAt = (rule: string) => forbidden({ rule, agency: 'gateway', class: 'IDENTITY' });

/**
 * The one door to a child. Every answer that says something about a child — a field, a case, an
 * explanation, a decision not to share, a notification, an overdue list — comes through here first:
 * the identifier is checked, the policies are asked whether this user may be told anything about this
 * child for this purpose (a relationship, or break-glass for one child), and it is put in the request's
 * record, refused or let in (a child let in counts toward the user's children per hour when the record is written). It returns
 * the refusal as an Error (a list entry then answers null with it) rather than throwing it.
 */
export async function admitChild(
  ctx: GatewayContext,
  nhsNumber: string,
  options: {
    /** Break-glass may say that no agency knows the child (the directory's entry points). */
    unknownIsNotFound?: boolean;
    /** The purpose the child is decided under, when not the request's own (a notification as it is read). */
    purpose?: Purpose;
  } = {},
): Promise<Admitted | Error> {
  const purpose = options.purpose ?? ctx.purpose;
  const problem = nhsNumberProblem(nhsNumber);
  if (problem) {
    // A malformed identifier is a refused attempt too: the record keeps what was asked (capped), for IG.
    ctx.ledger.refuse(nhsNumber, 'BAD_USER_INPUT');
    return codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
  }
  const early = admissionRefusal(ctx.user, purpose, { moreThanOneChild: ctx.ledger.namedOtherThan(nhsNumber) });
  if (early) return refuse(ctx, nhsNumber, early);
  let facts: ChildFacts;
  let attributes: ChildAttributes | null;
  if (purpose === ctx.purpose) {
    // Derived once per child per request, from the request's one look-up of its facts; when that look-up
    // failed, asking the loader again answers with its failure.
    attributes = await ctx.attributesOf(nhsNumber);
    facts = ctx.settled(nhsNumber)?.facts ?? (await ctx.facts.load(nhsNumber));
  } else {
    facts = await ctx.facts.load(nhsNumber);
    attributes = childAttributes(ctx.user, purpose, facts);
  }
  // Unknown and unrelated children get the same answer (a child's existence is itself information), but
  // to an asker the policies let learn that no agency knows one.
  if (options.unknownIsNotFound && mayLearnChildUnknown(ctx.user, ctx.breakGlass) && facts.knownBy.length === 0) {
    ctx.ledger.refuse(nhsNumber, 'NOT_FOUND');
    const unreachable = facts.unavailable.length > 0 ? ` (could not ask: ${facts.unavailable.join(', ')})` : '';
    return codedError('NOT_FOUND', `No agency holds a record for NHS number ${nhsNumber}${unreachable}.`, {
      nhsNumber,
      unavailable: facts.unavailable,
    });
  }
  const rule = admissionRefusal(ctx.user, purpose, {
    relationship: attributes?.relationship ?? 'NONE',
    moreThanOneChild: false,
  });
  if (rule || !attributes) {
    // Fail closed, and say why: without the agencies that own relationships none can be shown.
    if (facts.unavailable.length > 0) {
      ctx.ledger.refuse(nhsNumber, 'AGENCY_UNAVAILABLE');
      return codedError(
        'AGENCY_UNAVAILABLE',
        `Your relationship with this child cannot be established while ${facts.unavailable.join(', ')} cannot be asked.`,
        { agency: facts.unavailable[0], unavailable: facts.unavailable },
      );
    }
    return refuse(ctx, nhsNumber, rule ?? 'NO_LEGITIMATE_RELATIONSHIP');
  }
  // Each different child a user is told about counts towards their hourly limit: charged with the
  // request's record (the disclosure log's append), which withholds the whole answer past the limit.
  ctx.ledger.admit(nhsNumber);
  return { nhsNumber, facts, attributes };
}

/** Refuses a child with a rule, on the record; break-glass over more than one child is refused as its own code. */
function refuse(ctx: GatewayContext, nhsNumber: string, rule: string): Error {
  ctx.ledger.refuse(nhsNumber, rule);
  if (rule === 'BREAK_GLASS_ONE_CHILD')
    return codedError(
      'BREAK_GLASS_ONE_CHILD',
      'EMERGENCY (break-glass) opens one child at a time: name one child by NHS number. This attempt is recorded for IG review.',
    );
  return refusedAt(rule);
}

/** Like {@link admitChild}, throwing the refusal: for answers about one child. */
export async function admitOrThrow(ctx: GatewayContext, nhsNumber: string): Promise<Admitted> {
  const admitted = await admitChild(ctx, nhsNumber);
  if (admitted instanceof Error) throw admitted;
  return admitted;
}
