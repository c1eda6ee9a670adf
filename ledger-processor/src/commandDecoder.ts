import type { TopicNames } from '@ledger/runtime';
import { WireContractError, deadLetterReasonLengthMax, type LedgerSerde } from '@ledger/schemas';
import type { KafkaMessage } from 'kafkajs';
import { commandProblem, type DomainCommand } from './domain/index.ts';
import type { OutboxMessage } from './ledgerStore.ts';
import { commandFromWire } from './wireMapping.ts';

export type DecodedMessage =
  | {
      readonly kind: 'command';
      readonly offset: bigint;
      readonly command: DomainCommand;
      readonly traceparent: string | undefined;
    }
  | { readonly kind: 'dead'; readonly offset: bigint; readonly deadLetter: OutboxMessage };

/**
 * Turns one consumed message into a command the deciders may see, or a dead letter (docs/
 * architecture.md: a message that cannot be decoded or validated never blocks the partition). Dead
 * letters go through the outbox like events, so they are published once the batch commits and never
 * before. A registry outage or a writer schema newer than ours throws instead: the message is fine
 * and skipping it would lose a command.
 */
export async function decodeCommandMessage(
  message: KafkaMessage,
  context: { serde: LedgerSerde; topics: TopicNames; partition: number; nowMs: number },
): Promise<DecodedMessage> {
  const offset = BigInt(message.offset);
  const traceparent = headerText(message.headers?.traceparent);
  const dead = (reason: string): DecodedMessage => {
    const trimmed = reason.slice(0, deadLetterReasonLengthMax);
    return {
      kind: 'dead',
      offset,
      deadLetter: {
        topic: context.topics.commandsDlq,
        key: message.key?.toString('utf8') ?? '',
        eventId: `dlq:${context.partition}:${message.offset}`,
        eventType: 'DeadLetter',
        // The traceparent is the batch's, set in the transaction (groupTransaction.ts).
        headers: { 'dlq-reason': trimmed },
        value: context.serde.encodeDeadLetter({
          originalTopic: context.topics.commands,
          originalPartition: context.partition,
          originalOffset: message.offset,
          key: message.key ?? null,
          value: message.value ?? Buffer.alloc(0),
          reason: trimmed,
          failedAt: context.nowMs,
        }),
      },
    };
  };
  if (message.value === null) return dead('empty message value');
  let command: DomainCommand;
  try {
    command = commandFromWire(await context.serde.decodeCommand(message.value));
  } catch (error) {
    if (error instanceof WireContractError && error.code !== 'incompatible_schema') {
      return dead(`${error.code}: ${error.message}`);
    }
    throw error;
  }
  const problem = commandProblem(command);
  if (problem !== undefined) return dead(`invalid_request: ${problem}`);
  return { kind: 'command', offset, command, traceparent };
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
