import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { codedError } from '@macpt/kit';
import {
  mayBreakGlass,
  MIN_JUSTIFICATION,
  PURPOSES,
  RULE_TEXT,
  type PolicyUser,
  type Purpose,
  isBreakGlass,
} from '@macpt/policies';
import type { ContextSteps } from './stage.js';

/** The least a break-glass justification may say. */
/** The most of a justification a record keeps (a header may hold 32 KiB). */
export const MAX_JUSTIFICATION = 1_000;

/** An authenticated user, as the token says (name included, for display). */
export type User = PolicyUser & { name: string };

/**
 * Who is asking, why, and from which client: read from the request's headers once, by this stage
 * alone, and used by every refusal and by the context alike. The request id is made here, once.
 */
export interface RequestIdentity {
  requestId: string;
  clientName: string | null;
  /** `X-Purpose-Of-Use` as sent (at most 40 characters), before it is checked. */
  statedPurpose: string | null;
  /** `X-Justification` as sent, trimmed and capped at {@link MAX_JUSTIFICATION} characters. */
  justification: string | null;
  /** The verified user: verified once, when first asked for; rejects with UNAUTHENTICATED. */
  user: () => Promise<User>;
  /** The user when verification succeeded, null otherwise: for the record of a refusal. */
  userIfKnown: () => Promise<User | null>;
}

/** Why a request is being made, as stated in its headers and checked. */
export interface StatedPurpose {
  purpose: Purpose;
  /** EMERGENCY (only MACPT members get this far): IDENTITY and SAFEGUARDING for the children asked about, flagged for IG review. */
  breakGlass: boolean;
  justification: string | null;
}

/** What identifying a request reads: its headers (of a whole request, or of a head too large to parse). */
export type RequestHead = Pick<IncomingMessage, 'headers'>;

const headerOf = (req: RequestHead, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The identity of each request, made once however many stages ask. */
export function identifier(
  authenticate: (authorization: string | undefined) => Promise<User>,
): (req: RequestHead) => RequestIdentity {
  const made = new WeakMap<RequestHead, RequestIdentity>();
  return (req) => {
    let identity = made.get(req);
    if (identity) return identity;
    let verified: Promise<User> | null = null;
    const user = () => (verified ??= authenticate(headerOf(req, 'authorization')));
    identity = {
      requestId: randomUUID(),
      clientName: headerOf(req, 'apollographql-client-name')?.slice(0, 100) ?? null,
      statedPurpose: headerOf(req, 'x-purpose-of-use')?.trim().slice(0, 40) ?? null,
      justification: headerOf(req, 'x-justification')?.trim().slice(0, MAX_JUSTIFICATION) ?? null,
      user,
      userIfKnown: () => user().catch(() => null),
    };
    made.set(req, identity);
    return identity;
  };
}

/**
 * Whether a request states break-glass (EMERGENCY), whoever sent it and whatever then refuses it: its
 * record is flagged and waits in IG's review queue, with the justification as sent.
 */
export function statesBreakGlass(identity: Pick<RequestIdentity, 'statedPurpose'>): boolean {
  return isBreakGlass(identity.statedPurpose);
}

/** Checks the stated purpose of use and justification for this user; throws the refusal (400, 403) when they are wrong. */
export function checkPurpose(identity: RequestIdentity, user: PolicyUser): StatedPurpose {
  const raw = identity.statedPurpose;
  if (!raw || !(PURPOSES as readonly string[]).includes(raw)) {
    throw codedError(
      'PURPOSE_OF_USE_REQUIRED',
      `${raw ? `Unknown purpose of use ${JSON.stringify(raw)}` : 'Header X-Purpose-Of-Use is required'}; accepted values: ${PURPOSES.join(', ')}.`,
      { accepted: [...PURPOSES] },
      { refusesRequest: true },
    );
  }
  const purpose = raw as Purpose;
  if (isBreakGlass(purpose) && !mayBreakGlass(user)) {
    throw codedError(
      'BREAK_GLASS_NOT_PERMITTED',
      `Refused: ${RULE_TEXT.BREAK_GLASS_NOT_PERMITTED}. This attempt has been recorded for IG review.`,
      { role: user.role },
      { refusesRequest: true },
    );
  }
  const justification = identity.justification;
  if (isBreakGlass(purpose) && (justification?.length ?? 0) < MIN_JUSTIFICATION) {
    throw codedError(
      'JUSTIFICATION_REQUIRED',
      `EMERGENCY (break-glass) needs header X-Justification of at least ${MIN_JUSTIFICATION} characters saying why.`,
      { minimumLength: MIN_JUSTIFICATION },
      { refusesRequest: true },
    );
  }
  // Every request under EMERGENCY is break-glass: flagged in its record and queued for IG review, whatever it disclosed.
  const breakGlass = statesBreakGlass(identity);
  return { purpose, breakGlass, justification: breakGlass ? justification : null };
}

/** Identify: the verified user (401 otherwise) and the checked purpose of use (400, 403 otherwise) join the context. */
export function useIdentify(): ContextSteps['identify'] {
  return {
    name: 'identify',
    async add(_, identity) {
      const user = await identity.user();
      return { user, ...checkPurpose(identity, user) };
    },
  };
}
