import { randomUUID } from 'node:crypto';
import {
  createKafkaClient,
  createLedgerProducer,
  createRenewableProducer,
  createLogger,
  topicNames,
  type StackConfig,
} from '@ledger/runtime';
import { connectLedgerSerde, requestHashOf, type LedgerCommand } from '@ledger/schemas';

/**
 * Bulk loader for large account sets: OpenAccount commands produced straight to
 * `ledger.commands` (acks=all, the command API's own encoding and key), so the processor decides
 * them exactly as it decides the API's. The HTTP route answers one account per request; a 1M
 * set through it would take longer than the whole full run is allowed. Everything after the
 * topic (decisions, events, read models) is the same path as for any command.
 */

/** Messages per produce request: one Kafka round trip per thousand accounts. */
const messagesPerSend = 1_000;

export async function bulkOpenAccounts(options: {
  stack: StackConfig;
  accountIds: (index: number) => string;
  count: number;
  onProgress: (produced: number) => void;
}): Promise<void> {
  const logger = createLogger({
    level: 'warn',
    write: (line) => process.stderr.write(line + '\n'),
  });
  const kafka = createKafkaClient({
    clientId: 'bench-seed',
    brokers: options.stack.kafkaBrokers,
    logger,
  });
  const topics = topicNames(options.stack.topicPrefix);
  const serde = await connectLedgerSerde({
    registryUrl: options.stack.registryUrl,
    clientId: 'bench-seed',
    topics,
  });
  const producer = createRenewableProducer(() => createLedgerProducer(kafka), logger);
  await producer.connect();
  try {
    for (let start = 0; start < options.count; start += messagesPerSend) {
      const messages = [];
      for (
        let index = start;
        index < Math.min(options.count, start + messagesPerSend);
        index += 1
      ) {
        const accountId = options.accountIds(index);
        const payload = {
          type: 'OpenAccount' as const,
          accountId,
          currency: 'USD',
          overdraftLimit: 0n,
          metadata: {},
        };
        const command: LedgerCommand = {
          commandId: randomUUID(),
          idempotencyKey: accountId,
          requestHash: requestHashOf(payload),
          receivedAt: Date.now(),
          traceparent: null,
          payload,
        };
        messages.push({ key: accountId, value: serde.encodeCommand(command) });
      }
      await producer.sendBatch({ topicMessages: [{ topic: topics.commands, messages }], acks: -1 });
      options.onProgress(Math.min(options.count, start + messagesPerSend));
    }
  } finally {
    await producer.disconnect();
  }
}
