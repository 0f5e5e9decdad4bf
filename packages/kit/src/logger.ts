import { pino, type Logger } from 'pino';

/** A JSON logger named for the process; the dev launcher prefixes and pretty-prints its lines. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { svc: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
