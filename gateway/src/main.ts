import { createLogger } from '@macpt/kit';
import { gatewayConfig, startGateway } from './app.js';

const logger = createLogger('gateway');
const gateway = await startGateway(gatewayConfig(process.env), logger);
const stop = async (signal: string) => {
  logger.info({ signal }, 'stopping');
  await gateway.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
