import { crashOnUnhandled, createLogger, onTerminate } from '@ledger/runtime';
import { readCommandApiConfig } from './config.ts';
import { service, startCommandApi } from './wiring.ts';

// The thin shell: read config once, connect and listen, drain on SIGTERM (wiring.ts does the
// work so integration tests run the same assembly).
const config = readCommandApiConfig();
const logger = createLogger({ level: config.logLevel, bindings: { service } });
crashOnUnhandled(logger);
const running = await startCommandApi(config, logger);
logger.info('listening', {
  port: running.port,
  topicPrefix: config.stack.topicPrefix,
  authentication: config.api.apiKeys.length > 0 ? 'api-keys' : 'off',
});
// Stop taking commands (readyz says draining), answer pending waits with 202, let in-flight
// requests finish (they wait for their Kafka acks), flush the producer, then disconnect.
onTerminate(logger, () => running.stop());
