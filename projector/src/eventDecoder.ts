import { AssertionFailure } from '@ledger/runtime';
import { WireContractError, type LedgerEvent, type LedgerSerde } from '@ledger/schemas';
import type { KafkaMessage } from 'kafkajs';

/**
 * Decodes a slice of `ledger.events`. Unlike commands, events have no dead-letter topic: the log
 * is the truth (invariant 5, docs/architecture.md), so skipping an event would leave the read models wrong
 * for good. A message that breaks the wire contract (or an event written by a newer schema) stops
 * the projector with an AssertionFailure, and it restarts at the same offset once someone fixed
 * or upgraded it. A registry outage (SchemaRegistryUnavailableError) is rethrown as is: retriable.
 */
export async function decodeEvents(
  serde: LedgerSerde,
  partition: number,
  messages: readonly KafkaMessage[],
): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for (const message of messages) {
    const where = `partition ${partition} offset ${message.offset}`;
    if (message.value === null) throw new AssertionFailure(`event log: empty value at ${where}`);
    try {
      events.push(await serde.decodeEvent(message.value));
    } catch (error) {
      if (error instanceof WireContractError) {
        throw new AssertionFailure(`event log: ${error.code} at ${where}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
  return events;
}
