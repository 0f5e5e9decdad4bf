export { ERROR_CODES, codedError, isRegisteredCode, type ErrorCode } from './errors.js';
export { NHS_TEST_RANGE, isNhsNumber, nhsCheckDigit, nhsNumberProblem } from './nhs-number.js';
export { serveGraphQL, type Route, type ServeOptions } from './http-server.js';
export { createLogger, type Logger } from './logger.js';
export { parseConfig, port, requireBenchmarkFor, z } from './config.js';
export { ensureKeyPair, importKey, keyPaths, readPublicJwk, type KeyPairFiles } from './keys.js';
export { factsBodyHash, INTERNAL_CONTEXT_HEADER, INTERNAL_CONTEXT_TTL_SECONDS, INTERNAL_ISSUER, signInternalContext, verifyInternalContext, type InternalContext } from './internal-context.js';
export { freePort } from './free-port.js';
export { checkFactsResponse, MAX_FACTS_KEYS, parseFactsRequest, type AgencyFacts, type CaseFact, type CaseQuery, type FactsRequest, type FactsResponse } from './facts-contract.js';
