import { runService } from '@ledger/runtime';
import { readProcessorConfig } from './config.ts';
import { service, startLedgerProcessor } from './wiring.ts';

// Read config once, connect, consume; on SIGTERM finish or abandon the batch in flight (its
// transaction commits whole or not at all), publish what committed, disconnect.
const config = readProcessorConfig();
await runService(service, config.logLevel, async (logger) => {
  const running = await startLedgerProcessor(config, logger);
  logger.info('consuming', {
    port: running.port,
    group: config.processor.consumerGroup,
    partitionsConcurrent: config.processor.partitionsConcurrent,
  });
  return running;
});
