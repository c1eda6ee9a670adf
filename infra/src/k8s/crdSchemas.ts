import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../paths.ts';
import { typeKey, type K8sObject } from './manifests.ts';

/**
 * The operators' CRD schemas the manifests are validated against (Strimzi's Kafka, KafkaNodePool
 * and KafkaTopic, CloudNativePG's Cluster), for which no model package exists. A whole CRD is
 * hundreds of kB, so only what the manifests use is vendored: at every object they fill, every
 * property name is kept (an unknown or misspelt field still fails) but the schema of a property
 * no manifest sets is replaced by a marker, which fails validation when a manifest starts using it
 * ("re-vendor"): `npm run -w @ledger/infra k8s:schemas -- <CRD files>`.
 */
export const crdSchemaDir = join(repoRoot, 'infra/test/crd-schemas');
export const unvendoredKeyword = 'x-ledger-unvendored';

type Schema = Record<string, unknown>;

export interface VendoredSchema {
  /** `group/version/Kind`. */
  readonly type: string;
  /** Where the CRD came from, e.g. `strimzi-kafka-operator 1.2.0`. */
  readonly source: string;
  readonly schema: Schema;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The subset of `schema` that `values` (every value found at this place) exercise. */
export function pruneSchema(schema: Schema, values: readonly unknown[]): Schema {
  const pruned: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (key === 'properties' && isObject(value)) {
      const objects = values.filter(isObject);
      pruned.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => {
          const found = objects.map((object) => object[name]).filter((v) => v !== undefined);
          return [
            name,
            found.length === 0
              ? { [unvendoredKeyword]: true }
              : pruneSchema(child as Schema, found),
          ];
        }),
      );
    } else if (key === 'items' && isObject(value)) {
      const items = values.filter(Array.isArray).flat();
      pruned.items = items.length === 0 ? { [unvendoredKeyword]: true } : pruneSchema(value, items);
    } else if (key === 'additionalProperties' && isObject(value)) {
      const known = new Set(Object.keys((schema.properties as Schema | undefined) ?? {}));
      const found = values
        .filter(isObject)
        .flatMap((object) => Object.entries(object).filter(([name]) => !known.has(name)))
        .map(([, v]) => v);
      pruned.additionalProperties =
        found.length === 0 ? { [unvendoredKeyword]: true } : pruneSchema(value, found);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      pruned[key] = value.map((branch) => pruneSchema(branch as Schema, values));
    } else {
      pruned[key] = value;
    }
  }
  return pruned;
}

/**
 * As the API server validates: an object schema with properties accepts no other field
 * (kubectl's default strict field validation), unless it preserves unknown fields.
 */
export function strictSchema(schema: Schema): Schema {
  const strict: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isObject(value)) {
      strict.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, strictSchema(child as Schema)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      strict[key] = strictSchema(value);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      strict[key] = value.map((branch) => strictSchema(branch as Schema));
    } else {
      strict[key] = value;
    }
  }
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(schema.properties) && !open && schema.additionalProperties === undefined) {
    strict.additionalProperties = false;
  }
  return strict;
}

interface Crd {
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions: readonly {
      readonly name: string;
      readonly served?: boolean;
      readonly schema?: { readonly openAPIV3Schema: Schema };
    }[];
  };
}

/** Vendors the schema of every served CRD version some object uses. */
export function vendorCrdSchemas(
  crdFiles: readonly { readonly path: string; readonly source: string }[],
  objects: readonly K8sObject[],
): VendoredSchema[] {
  const vendored: VendoredSchema[] = [];
  for (const file of crdFiles) {
    for (const document of parseAllDocuments(readFileSync(file.path, 'utf8'))) {
      const crd = document.toJS() as Crd | null;
      if (crd?.spec?.versions === undefined) continue;
      for (const version of crd.spec.versions) {
        const type = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        const used = objects.filter((object) => typeKey(object) === type);
        if (used.length === 0 || version.schema === undefined) continue;
        const schema = pruneSchema(version.schema.openAPIV3Schema, used);
        vendored.push({ type, source: file.source, schema });
      }
    }
  }
  return vendored;
}

export function vendoredSchemaFile(type: string): string {
  return join(crdSchemaDir, `${type.replaceAll('/', '_')}.json`);
}

/** Writes it as the repository's prettier config formats JSON (`prettier --check` passes). */
export async function writeVendoredSchema(schema: VendoredSchema): Promise<string> {
  const file = vendoredSchemaFile(schema.type);
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(
    file,
    await prettier.format(JSON.stringify(schema), { ...options, parser: 'json' }),
  );
  return file;
}

export function readVendoredSchema(type: string): VendoredSchema | undefined {
  try {
    return JSON.parse(readFileSync(vendoredSchemaFile(type), 'utf8')) as VendoredSchema;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
