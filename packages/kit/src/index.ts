export { ERROR_CODES, codedError, isRegisteredCode, type ErrorCode } from './errors.js';
export { NHS_TEST_RANGE, isNhsNumber, nhsCheckDigit, nhsNumberProblem } from './nhs-number.js';
export { serveGraphQL, type Answer, type Refusal, type Route, type ServeOptions } from './http-server.js';
export { createLogger, type Logger } from './logger.js';
export { parseConfig, port, requireBenchmarkFor, z } from './config.js';
export {
  ensureKeyPair,
  ensureSecret,
  importKey,
  KEY_ALG,
  keyPaths,
  readPublicJwk,
  type KeyPairFiles,
  type SecretFile,
} from './keys.js';
export { freePort } from './free-port.js';
export type { StaticSite } from './static-site.js';
export { metricsRoute, processMetrics } from './metrics.js';
export { ATTR, noteOnSpan, startTracing, traceIds, withTraceContext } from './tracing.js';
