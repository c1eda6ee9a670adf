import {
  closeServer,
  crashOnUnhandled,
  createKafkaClient,
  createLogger,
  createMetricsRegistry,
  createOpsServer,
  createPostgresPool,
  kafkaCheck,
  listen,
  onTerminate,
  parseLogLevel,
  postgresCheck,
  readStackConfig,
  registryCheck,
} from '@ledger/runtime';

// Skeleton: connects to its dependencies and serves the ops routes; the projector's work is
// wired in by the write/read path.
const service = 'projector';
const config = readStackConfig();
const logger = createLogger({
  level: parseLogLevel(process.env.LEDGER_LOG_LEVEL),
  bindings: { service },
});
crashOnUnhandled(logger);
const registry = createMetricsRegistry(service);
const pool = createPostgresPool({
  connectionString: config.postgresUrl,
  schema: process.env.LEDGER_PG_SCHEMA ?? 'ledger',
  max: 4,
  applicationName: service,
});
const admin = createKafkaClient({
  clientId: service,
  brokers: config.kafkaBrokers,
  logger,
}).admin();
await admin.connect();
const server = createOpsServer({
  registry,
  readiness: [postgresCheck(pool), kafkaCheck(admin), registryCheck(config.registryUrl)],
});
await listen(server, config.ports.projector);
logger.info('listening', { port: config.ports.projector });

onTerminate(logger, async () => {
  await closeServer(server);
  await admin.disconnect();
  await pool.end();
});
