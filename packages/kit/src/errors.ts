import { GraphQLError } from 'graphql';

/**
 * The one registry of error codes the system returns. Each code carries the HTTP status used when
 * the error refuses the whole request (field-level errors ride on a 200 with partial data).
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { status: 401, summary: 'Missing, malformed, expired, forged or wrong-audience bearer token.' },
  PURPOSE_OF_USE_REQUIRED: {
    status: 400,
    summary: 'Header X-Purpose-Of-Use is missing or not one of the accepted purposes.',
  },
  JUSTIFICATION_REQUIRED: {
    status: 400,
    summary: 'EMERGENCY (break-glass) needs X-Justification of at least 20 characters.',
  },
  BREAK_GLASS_NOT_PERMITTED: {
    status: 403,
    summary: 'EMERGENCY (break-glass) stated by someone who is not a MACPT member; the refusal is logged.',
  },
  BREAK_GLASS_ONE_CHILD: {
    status: 403,
    summary:
      'EMERGENCY (break-glass) naming more than one child (a caseload, a list); refused whole and logged for IG review.',
  },
  BAD_USER_INPUT: { status: 400, summary: 'An argument is malformed, e.g. an NHS number without a valid check digit.' },
  OPERATION_LIMIT_EXCEEDED: {
    status: 400,
    summary: 'The operation is too large, deep, aliased or wide, or has a fragment cycle.',
  },
  TRUSTED_DOCUMENT_REQUIRED: {
    status: 400,
    summary: 'Only registered operations run here (TRUSTED_DOCUMENTS=required).',
  },
  RATE_LIMITED: { status: 429, summary: 'Too many requests, or too many different children, for one user.' },
  NOT_FOUND: { status: 200, summary: 'No agency holds a record for the identifier asked for.' },
  FORBIDDEN_BY_POLICY: {
    status: 200,
    summary: "A field withheld by the owning agency's sharing policy; names the rule and agency.",
  },
  AGENCY_UNAVAILABLE: {
    status: 200,
    summary: "An agency's subgraph could not answer; its fields are missing, not empty.",
  },
  SCHEMA_CHANGE_CONFLICT: {
    status: 200,
    summary:
      'A schema change cannot be approved as it stands: already decided, superseded, or no longer passing its checks.',
  },
  SHARING_DECISION_CONFLICT: {
    status: 200,
    summary: 'A decision not to share cannot be reviewed: it was already withdrawn.',
  },
  NOT_SEALED: {
    status: 200,
    summary:
      'No proof can be given yet: the record is not sealed into a signed segment (within DISCLOSURE_LOG_SEAL_MS), or it expired under retention.',
  },
  DISCLOSURE_LOG_UNAVAILABLE: {
    status: 503,
    summary: 'The disclosure record could not be written, so no child data was sent.',
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    summary: 'An unexpected failure; details are in the server log, never in the response.',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

/** One of the registered error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Builds a `GraphQLError` carrying a registered code (and its HTTP status when it refuses the request). */
export function codedError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  options: { refusesRequest?: boolean } = {},
): GraphQLError {
  const http = options.refusesRequest ? { http: { status: ERROR_CODES[code].status } } : {};
  return new GraphQLError(message, { extensions: { code, ...extensions, ...http } });
}

/** True when `code` is one of ours, so the gateway may pass the error through unmasked. */
export function isRegisteredCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
