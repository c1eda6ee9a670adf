import { runService } from '@ledger/runtime';
import { readProjectorConfig } from './config.ts';
import { service, startProjector } from './wiring.ts';

// Read config once, connect, consume; on SIGTERM finish or abandon the batch in flight (its
// transaction commits whole or not at all), then disconnect.
const config = readProjectorConfig();
await runService(service, config.logLevel, async (logger) => {
  const running = await startProjector(config, logger);
  logger.info('consuming', {
    port: running.port,
    group: config.projector.consumerGroup,
    partitionsConcurrent: config.projector.partitionsConcurrent,
  });
  return running;
});
