import { pino, type Logger } from 'pino';
import { traceIds } from './tracing.js';

/**
 * A JSON logger named for the process; the dev launcher prefixes and pretty-prints its lines. A line
 * written while a traced request is handled carries its `trace_id` and `span_id`.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { svc: name }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceIds });
}

export type { Logger };
