import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from '@ledger/schemas/openApiParts';

/**
 * What the OpenAPI tests of both APIs share: the examples of a document paired into request →
 * response cases, an ajv (JSON Schema 2020-12, formats on) that validates against any schema of
 * the document by JSON pointer, and redocly's lint.
 *
 * Pairing: an example named N of a response pairs with the request body example N and the
 * parameter examples N (a parameter without one is not sent). Names are unique per operation.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ExampleParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly value: unknown;
  /** JSON pointer (in the document) of the parameter's schema. */
  readonly schemaPointer: string;
}

export interface ExampleCase {
  readonly operationId: string;
  readonly method: string;
  /** The path template, `/v1/accounts/{accountId}`. */
  readonly path: string;
  readonly name: string;
  /** The documented status, `201`. */
  readonly status: number;
  readonly mediaType: string;
  readonly responseExample: unknown;
  readonly responseSchemaPointer: string;
  readonly parameters: readonly ExampleParameter[];
  /** Undefined when the operation takes no body. */
  readonly body: { readonly value: unknown; readonly schemaPointer: string } | undefined;
  /** Response headers the document marks required. */
  readonly requiredHeaders: readonly string[];
  /** The scope the operation's security names, if any. */
  readonly scope: string | undefined;
}

const methods = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;

export const pointer = (...segments: readonly string[]): string =>
  '#/' + segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function asObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null ? (value as JsonObject) : {};
}

/** Follows a local `$ref` (one level, as the documents use them). */
function resolve(
  document: JsonObject,
  value: unknown,
): { value: JsonObject; at: string | undefined } {
  const ref = asObject(value).$ref;
  if (typeof ref !== 'string') return { value: asObject(value), at: undefined };
  let target: unknown = document;
  for (const segment of ref.slice(2).split('/')) {
    target = asObject(target)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return { value: asObject(target), at: ref };
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operation: JsonObject;
}

export function operationsOf(document: JsonObject): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(asObject(document.paths))) {
    for (const method of methods) {
      const operation = asObject(item)[method];
      if (operation !== undefined) found.push({ method, path, operation: asObject(operation) });
    }
  }
  return found;
}

/**
 * Every response example of the document, paired with its request. Throws on a broken pairing:
 * a name used twice in an operation, a required parameter without the example, a request
 * example no response pairs with.
 */
export function exampleCases(document: JsonObject): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const { method, path, operation } of operationsOf(document)) {
    const operationId = String(operation.operationId);
    const opPointer = ['paths', path, method];
    const names = new Set<string>();
    const parameters = (Array.isArray(operation.parameters) ? operation.parameters : []).map(
      (raw: unknown, index) => {
        const resolved = resolve(document, raw);
        const at = resolved.at ?? pointer(...opPointer, 'parameters', String(index));
        return { parameter: resolved.value, schemaPointer: `${at}/schema` };
      },
    );
    const bodyContent = asObject(
      asObject(asObject(operation.requestBody).content)['application/json'],
    );
    const bodyExamples = asObject(bodyContent.examples);
    const security = Array.isArray(operation.security) ? operation.security : [];
    const scope = Object.values(asObject(security[0]))
      .flat()
      .find((value): value is string => typeof value === 'string');
    for (const [status, rawResponse] of Object.entries(asObject(operation.responses))) {
      const response = resolve(document, rawResponse);
      const responseAt = response.at ?? pointer(...opPointer, 'responses', status);
      for (const [mediaType, media] of Object.entries(asObject(response.value.content))) {
        for (const [name, example] of Object.entries(asObject(asObject(media).examples))) {
          if (names.has(name)) throw new Error(`${operationId}: example ${name} is used twice`);
          names.add(name);
          const sent: ExampleParameter[] = [];
          for (const { parameter, schemaPointer } of parameters) {
            const value = asObject(asObject(parameter.examples)[name]);
            if ('value' in value) {
              sent.push({
                name: String(parameter.name),
                in: parameter.in as ExampleParameter['in'],
                value: value.value,
                schemaPointer,
              });
            } else if (parameter.required === true) {
              throw new Error(
                `${operationId}: required parameter ${String(parameter.name)} has no example ${name}`,
              );
            }
          }
          const bodyExample = asObject(bodyExamples[name]);
          if (operation.requestBody !== undefined && !('value' in bodyExample)) {
            throw new Error(`${operationId}: example ${name} has no request body example`);
          }
          cases.push({
            operationId,
            method,
            path,
            name,
            status: Number(status),
            mediaType,
            responseExample: asObject(example).value,
            requiredHeaders: Object.entries(asObject(response.value.headers))
              .filter(([, header]) => resolve(document, header).value.required === true)
              .map(([name]) => name),
            responseSchemaPointer: `${responseAt}/content/${mediaType.replace(/\//g, '~1')}/schema`,
            parameters: sent,
            body:
              operation.requestBody === undefined
                ? undefined
                : {
                    value: bodyExample.value,
                    schemaPointer: pointer(
                      ...opPointer,
                      'requestBody',
                      'content',
                      'application/json',
                      'schema',
                    ),
                  },
            scope,
          });
        }
      }
    }
    const requestNames = [
      ...Object.keys(bodyExamples),
      ...parameters.flatMap(({ parameter }) => Object.keys(asObject(parameter.examples))),
    ];
    for (const name of requestNames) {
      if (!names.has(name))
        throw new Error(`${operationId}: request example ${name} pairs with no response example`);
    }
  }
  return cases;
}

/** Validates values against any schema of the document, by JSON pointer. */
const documentId = 'https://ledger.invalid/openapi.json';

export interface DocumentValidator {
  validate(schemaPointer: string, value: unknown): string | undefined;
}

export function documentValidator(document: JsonObject): DocumentValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is CommonJS; its default export arrives as the module object under tsx.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
    addFormatsModule) as (ajv: Ajv2020) => void;
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: documentId });
  const compiled = new Map<string, ValidateFunction>();
  return {
    validate(schemaPointer, value) {
      let validate = compiled.get(schemaPointer);
      if (validate === undefined) {
        validate = ajv.compile({ $ref: `${documentId}${schemaPointer}` });
        compiled.set(schemaPointer, validate);
      }
      if (validate(value)) return undefined;
      return ajv.errorsText(validate.errors, { dataVar: 'value' });
    },
  };
}

/** `redocly lint` with the repo's redocly.yaml: its exit code and output. */
export function redoclyLint(file: string): { status: number | null; output: string } {
  const result = spawnSync(
    'npx',
    ['--no-install', 'redocly', 'lint', '--config', 'redocly.yaml', file],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * The checks every example must pass before it is replayed: a response example validates against
 * its response's schema; parameter and body examples validate against theirs, except those of a
 * 400 (documented refusals), whose body must fail its schema unless the rule broken spans fields
 * the schema cannot relate (`same_account`), and a batch answered with an `invalid` item, whose
 * body must fail its schema too.
 */
export function exampleProblems(document: JsonObject): string[] {
  const validator = documentValidator(document);
  const problems: string[] = [];
  for (const example of exampleCases(document)) {
    const where = `${example.operationId}/${example.name}`;
    const responseError = validator.validate(
      example.responseSchemaPointer,
      example.responseExample,
    );
    if (responseError !== undefined) problems.push(`${where}: response example: ${responseError}`);
    const refused = example.status === 400;
    for (const parameter of example.parameters) {
      const error = validator.validate(parameter.schemaPointer, parameter.value);
      if (!refused && error !== undefined)
        problems.push(`${where}: parameter ${parameter.name}: ${error}`);
    }
    if (example.body !== undefined) {
      const error = validator.validate(example.body.schemaPointer, example.body.value);
      const code = asObject(example.responseExample).code;
      // A batch answers an item its schema refuses as `invalid` and accepts the rest.
      const items = asObject(example.responseExample).items;
      const invalidItem =
        Array.isArray(items) && items.some((item) => asObject(item).status === 'invalid');
      const mustFail = (refused && code !== 'same_account') || invalidItem;
      if (!refused && !invalidItem && error !== undefined) {
        problems.push(`${where}: request body: ${error}`);
      }
      if (mustFail && error === undefined) {
        problems.push(`${where}: the request body is refused but its schema accepts it`);
      }
    }
  }
  return problems;
}
