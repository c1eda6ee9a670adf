import avro from 'avsc';
import { avroTypeFor } from './avroSchemas.ts';
import type { LedgerSubject } from './ledgerSubjects.ts';
import type { SchemaRegistryReader } from './schemaRegistryClient.ts';
import { SchemaRegistryUnavailableError, WireContractError } from './wireContractError.ts';
import { frameMessage, readWireHeader } from './wireFormat.ts';

/** Distinct writer schemas remembered per topic; a topic sees a handful in its whole life. */
export const writerSchemasMax = 256;

export interface ValueCodec<Domain> {
  /** Our schema's registry id, written in every message we encode. */
  readonly schemaId: number;
  encode(value: Domain): Buffer;
  decode(message: Buffer): Promise<Domain>;
}

export interface ValueCodecDeps<Domain, AvroRecord> {
  readonly registry: SchemaRegistryReader;
  readonly subject: LedgerSubject;
  readonly schemaId: number;
  readonly toAvro: (value: Domain) => AvroRecord;
  readonly fromAvro: (record: AvroRecord) => Domain;
}

type ReadBody = (body: Buffer) => unknown;

/**
 * Encodes with our schema and id; decodes a message written with any schema id the registry knows,
 * through Avro schema resolution from the writer's schema to ours (the schema evolution rules), so
 * a consumer keeps reading while producers move to a newer compatible schema. The writer schema is
 * fetched once per id; messages written with our own schema skip resolution.
 */
export function createValueCodec<Domain, AvroRecord>(
  deps: ValueCodecDeps<Domain, AvroRecord>,
): ValueCodec<Domain> {
  const readerType = deps.subject.schema.type;
  const readers = new Map<number, ReadBody>([
    [deps.schemaId, (body): unknown => readerType.fromBuffer(body)],
  ]);

  const readerFor = async (schemaId: number): Promise<ReadBody> => {
    const cached = readers.get(schemaId);
    if (cached !== undefined) return cached;
    const writerType = await fetchWriterType(deps.registry, schemaId, deps.subject);
    let resolver: ReturnType<avro.Type['createResolver']>;
    try {
      resolver = readerType.createResolver(writerType);
    } catch (error) {
      throw new WireContractError(
        'incompatible_schema',
        undefined,
        `writer schema ${schemaId} cannot be read as ${deps.subject.schema.fullName} ` +
          `(${errorMessage(error)}); upgrade this consumer`,
        { cause: error },
      );
    }
    const read: ReadBody = (body): unknown => readerType.fromBuffer(body, resolver);
    if (readers.size < writerSchemasMax) readers.set(schemaId, read);
    return read;
  };

  return {
    schemaId: deps.schemaId,
    encode(value) {
      const record = deps.toAvro(value);
      let body: Buffer;
      try {
        body = readerType.toBuffer(record);
      } catch (error) {
        // The converters check every field first, so this is a gap in them: say which schema.
        throw new WireContractError(
          'invalid_request',
          undefined,
          `not a valid ${deps.subject.schema.fullName}: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      return frameMessage(deps.schemaId, body);
    },
    async decode(message) {
      const { schemaId, body } = readWireHeader(message);
      const read = await readerFor(schemaId);
      let record: AvroRecord;
      try {
        record = read(body) as AvroRecord; // avsc checked the shape against the schema
      } catch (error) {
        throw new WireContractError(
          'malformed_message',
          undefined,
          `Avro body of ${deps.subject.schema.fullName} (schema id ${schemaId}) does not parse: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      return deps.fromAvro(record);
    },
  };
}

async function fetchWriterType(
  registry: SchemaRegistryReader,
  schemaId: number,
  subject: LedgerSubject,
): Promise<avro.Type> {
  let fetched: unknown;
  try {
    fetched = await registry.getSchema(schemaId);
  } catch (error) {
    if (statusOf(error) === 404) {
      throw new WireContractError(
        'unknown_schema_id',
        undefined,
        `the registry has no schema with id ${schemaId} (message on ${subject.topic})`,
        { cause: error },
      );
    }
    throw new SchemaRegistryUnavailableError(
      `could not fetch writer schema ${schemaId} for ${subject.topic}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  // The registry client parses with the same avsc module, so its Avro schemas are avro.Type.
  if (!(fetched instanceof avro.Type)) {
    throw new WireContractError(
      'incompatible_schema',
      undefined,
      `schema id ${schemaId} is not an Avro schema`,
    );
  }
  // Rebuilt with our options: avsc reads part of a value with the writer type's own readers, so a
  // writer type parsed with other options (the registry client's) could change the JS shape.
  return avroTypeFor(fetched.schema({ exportAttrs: true }));
}

/** The HTTP status the registry client attached to an error, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    return typeof error.status === 'number' ? error.status : undefined;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
