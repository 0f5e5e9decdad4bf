import type { GraphQLFormattedError } from 'graphql';
import { isRegisteredCode, type Logger } from '@macpt/kit';
import type { Stage } from './stage.js';

/** Codes raised by Apollo Server itself for a malformed request: safe to show as they are. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Error masking: coded errors pass, everything else is masked — an unexpected error's message may carry
 * an agency's internals (or child data), so the client gets a generic message and the log the rest.
 */
export function useMaskErrors(logger: Logger): Stage {
  return { name: 'mask errors', formatError: maskError(logger) };
}

function maskError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isRegisteredCode(code) || REQUEST_CODES.has(String(code))) {
      const {
        serviceName: _serviceName,
        exception: _exception,
        stacktrace: _stacktrace,
        ...extensions
      } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: error, path: formatted.path }, 'masked unexpected error');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
