import { createLogger, startTracing } from '@macpt/kit';
import { gatewayConfig, startGateway } from './app.js';

// Before anything else: OpenTelemetry traces when an OTLP endpoint is configured, off otherwise.
const tracing = startTracing('gateway');
const logger = createLogger('gateway');
const config = gatewayConfig(process.env);
const gateway = await startGateway(config, logger);
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info(
    { signal, graceMs: config.SHUTDOWN_GRACE_MS },
    'stopping: no new requests; those in flight finish with their records',
  );
  // Bounded: whatever is still open after the grace period (and a little for the log's last batch) is cut.
  const cut = setTimeout(() => {
    logger.error('shutdown overran its grace period; exiting');
    process.exit(1);
  }, config.SHUTDOWN_GRACE_MS + 3_000);
  cut.unref();
  await gateway.close();
  await tracing?.shutdown().catch(() => undefined);
  logger.info('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
