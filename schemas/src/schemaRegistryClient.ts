import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

/**
 * What the serde needs from a schema registry client: fetch a writer schema by id, find the id of
 * our own schema. A narrow interface so tests can hand in an in-memory registry.
 */
export type SchemaRegistryReader = Pick<SchemaRegistry, 'getSchema' | 'getRegistryIdBySchema'>;

export interface SchemaRegistryClientOptions {
  /** Confluent-compatible API root, e.g. http://127.0.0.1:8085/apis/ccompat/v7. */
  readonly registryUrl: string;
  readonly clientId?: string;
  /** Retries of one registry request; 0 in tests that expect a failure at once. */
  readonly retries?: number;
}

export const registryRetriesMax = 5;

/**
 * The one place a registry client is built. Retries are bounded and passed in full: the library
 * merges them into its module-wide defaults, so a partial object would leak into other clients.
 */
export function createSchemaRegistryClient(options: SchemaRegistryClientOptions): SchemaRegistry {
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0 || retries > registryRetriesMax) {
    throw new RangeError(`registry retries ${retries} is outside [0, ${registryRetriesMax}]`);
  }
  return new SchemaRegistry({
    host: options.registryUrl,
    clientId: options.clientId ?? 'ledger',
    retry: {
      retries,
      initialRetryTimeInSecs: 0.1,
      maxRetryTimeInSecs: 2,
      factor: 0.2,
      multiplier: 2,
    },
  });
}
