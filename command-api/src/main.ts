import { authenticationMode, runService } from '@ledger/runtime';
import { readCommandApiConfig } from './config.ts';
import { service, startCommandApi } from './wiring.ts';

// Read config once, connect and listen (wiring.ts does the work so integration tests run the
// same assembly). On SIGTERM: stop taking commands (readyz says draining), answer pending waits
// with 202, let in-flight requests finish (they wait for their Kafka acks), flush the producer,
// then disconnect.
const config = readCommandApiConfig();
await runService(service, config.logLevel, async (logger) => {
  const running = await startCommandApi(config, logger);
  logger.info('listening', {
    port: running.port,
    topicPrefix: config.stack.topicPrefix,
    authentication: authenticationMode(config.apiKeys),
  });
  return running;
});
