import { authenticationMode, runService } from '@ledger/runtime';
import { readQueryApiConfig } from './config.ts';
import { service, startQueryApi } from './wiring.ts';

// Read config once, connect, consume the balances changelog, listen; on SIGTERM say draining,
// close the streams, end the waits, stop the consumer, drain requests, close.
const config = readQueryApiConfig();
await runService(service, config.logLevel, async (logger) => {
  const running = await startQueryApi(config, logger);
  logger.info('listening', {
    port: running.port,
    group: running.groupId,
    cacheEntriesMax: config.cache.entriesMax,
    authentication: authenticationMode(config.apiKeys),
  });
  return running;
});
