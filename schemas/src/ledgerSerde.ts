import { waitForDependency, type Logger, type TopicNames } from '@ledger/runtime';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { balanceFromAvro, balanceToAvro } from './balanceConverter.ts';
import { commandFromAvro, commandToAvro } from './commandConverter.ts';
import { deadLetterFromAvro, deadLetterToAvro } from './deadLetterConverter.ts';
import type { BalanceChanged, DeadLetter, LedgerCommand, LedgerEvent } from './domainTypes.ts';
import { eventFromAvro, eventToAvro } from './eventConverter.ts';
import { ledgerSubject, type LedgerSubject, type LedgerTopicKind } from './ledgerSubjects.ts';
import { createSchemaRegistryClient, type SchemaRegistryReader } from './schemaRegistryClient.ts';
import { SchemaRegistryUnavailableError } from './wireContractError.ts';
import { createValueCodec, statusOf } from './valueCodec.ts';

export interface LedgerSerdeOptions {
  /** Usually createSchemaRegistryClient(...); anything with getSchema/getRegistryIdBySchema. */
  readonly registry: SchemaRegistryReader;
  readonly topics: TopicNames;
}

/**
 * Values of the four ledger topics in the Confluent wire format. Encoding is synchronous (schema
 * ids are resolved at creation), so a batch of messages is built without awaiting. Decoding is
 * async only because a message written with a schema id not seen before needs one registry fetch.
 * Errors: WireContractError (bad message: dead-letter it, see its codes) or
 * SchemaRegistryUnavailableError (retry; the message is fine).
 */
export interface LedgerSerde {
  readonly schemaIds: Readonly<Record<LedgerTopicKind, number>>;
  encodeCommand(command: LedgerCommand): Buffer;
  decodeCommand(message: Buffer): Promise<LedgerCommand>;
  encodeEvent(event: LedgerEvent): Buffer;
  decodeEvent(message: Buffer): Promise<LedgerEvent>;
  encodeBalance(change: BalanceChanged): Buffer;
  decodeBalance(message: Buffer): Promise<BalanceChanged>;
  encodeDeadLetter(letter: DeadLetter): Buffer;
  decodeDeadLetter(message: Buffer): Promise<DeadLetter>;
}

/**
 * Looks up the registry id of each of our schemas under its `<topic>-value` subject, by content
 * rather than "latest": the id written in a message must name the schema the body was encoded
 * with, and the latest version may be a newer one registered by a newer deployment. Services do
 * not register schemas themselves; registerSchemas (run by the stack starter or a deploy step)
 * does, so a service with an unregistered or incompatible schema fails at start, not mid-stream.
 */
export async function createLedgerSerde(options: LedgerSerdeOptions): Promise<LedgerSerde> {
  const { registry, topics } = options;
  const [commands, events, balances, commandsDlq] = await Promise.all([
    resolveSchemaId(registry, ledgerSubject(topics, 'commands')),
    resolveSchemaId(registry, ledgerSubject(topics, 'events')),
    resolveSchemaId(registry, ledgerSubject(topics, 'balances')),
    resolveSchemaId(registry, ledgerSubject(topics, 'commandsDlq')),
  ]);
  const command = createValueCodec({
    registry,
    ...commands,
    toAvro: commandToAvro,
    fromAvro: commandFromAvro,
  });
  const event = createValueCodec({
    registry,
    ...events,
    toAvro: eventToAvro,
    fromAvro: eventFromAvro,
  });
  const balance = createValueCodec({
    registry,
    ...balances,
    toAvro: balanceToAvro,
    fromAvro: balanceFromAvro,
  });
  const deadLetter = createValueCodec({
    registry,
    ...commandsDlq,
    toAvro: deadLetterToAvro,
    fromAvro: deadLetterFromAvro,
  });
  return {
    schemaIds: {
      commands: command.schemaId,
      events: event.schemaId,
      balances: balance.schemaId,
      commandsDlq: deadLetter.schemaId,
    },
    encodeCommand: (value) => command.encode(value),
    decodeCommand: (message) => command.decode(message),
    encodeEvent: (value) => event.encode(value),
    decodeEvent: (message) => event.decode(message),
    encodeBalance: (value) => balance.encode(value),
    decodeBalance: (message) => balance.decode(message),
    encodeDeadLetter: (value) => deadLetter.encode(value),
    decodeDeadLetter: (message) => deadLetter.decode(message),
  };
}

async function resolveSchemaId(
  registry: SchemaRegistryReader,
  subject: LedgerSubject,
): Promise<{ subject: LedgerSubject; schemaId: number }> {
  try {
    const schemaId = await registry.getRegistryIdBySchema(subject.subject, {
      type: SchemaType.AVRO,
      schema: subject.schema.text,
    });
    return { subject, schemaId };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (statusOf(error) === 404) {
      // A deployment mistake, not an outage: retrying cannot help until someone registers.
      throw new Error(
        `schema ${subject.schema.fullName} is not registered under ${subject.subject}: run ` +
          `registerSchemas (the stack starter does) before starting services. Registry said: ${reason}`,
        { cause: error },
      );
    }
    throw new SchemaRegistryUnavailableError(
      `could not look up ${subject.schema.fullName} under ${subject.subject}: ${reason}`,
      { cause: error },
    );
  }
}

/**
 * The usual way in: a registry client for `registryUrl` (bounded retries), then the serde. With a
 * logger, a registry that is down or restarting (its own Postgres connections are stale after a
 * Postgres restart) is waited for (runtime's waitForDependency) instead of failing the start.
 */
export function connectLedgerSerde(options: {
  readonly registryUrl: string;
  readonly clientId?: string;
  readonly topics: TopicNames;
  readonly logger?: Logger;
}): Promise<LedgerSerde> {
  const connect = () =>
    createLedgerSerde({
      registry: createSchemaRegistryClient({
        registryUrl: options.registryUrl,
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
      }),
      topics: options.topics,
    });
  if (options.logger === undefined) return connect();
  return waitForDependency('schema-registry', connect, {
    logger: options.logger,
    isUnavailable: (error) => error instanceof SchemaRegistryUnavailableError,
  });
}
