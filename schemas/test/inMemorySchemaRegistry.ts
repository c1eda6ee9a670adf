import type { AvroSchema } from '@kafkajs/confluent-schema-registry/dist/@types.js';
import avro from 'avsc';
import type { SchemaRegistryReader } from '../src/index.ts';

/**
 * A registry in memory for unit tests: ids per distinct schema text, subjects as lists of ids, and
 * 404-shaped errors like the real client's. Schemas are parsed with avsc defaults, not ours, as a
 * registry client configured by someone else would: the serde must not depend on that.
 */
export class InMemorySchemaRegistry implements SchemaRegistryReader {
  private readonly idsByText = new Map<string, number>();
  private readonly textsById = new Map<number, string>();
  private readonly subjects = new Map<string, number[]>();

  register(subject: string, schemaText: string): number {
    let id = this.idsByText.get(schemaText);
    if (id === undefined) {
      id = this.idsByText.size + 1;
      this.idsByText.set(schemaText, id);
      this.textsById.set(id, schemaText);
    }
    const versions = this.subjects.get(subject) ?? [];
    if (!versions.includes(id)) versions.push(id);
    this.subjects.set(subject, versions);
    return id;
  }

  getSchema(registryId: number): Promise<AvroSchema> {
    const text = this.textsById.get(registryId);
    if (text === undefined) return Promise.reject(notFound(`schema ${registryId}`));
    return Promise.resolve(
      avro.Type.forSchema(JSON.parse(text) as avro.Schema) as unknown as AvroSchema,
    );
  }

  getRegistryIdBySchema(subject: string, schema: object): Promise<number> {
    const text = 'schema' in schema ? schema.schema : undefined;
    const id = typeof text === 'string' ? this.idsByText.get(text) : undefined;
    if (id === undefined || !(this.subjects.get(subject) ?? []).includes(id)) {
      return Promise.reject(notFound(`schema under ${subject}`));
    }
    return Promise.resolve(id);
  }
}

function notFound(what: string): Error {
  return Object.assign(new Error(`${what} not found`), { status: 404 });
}
