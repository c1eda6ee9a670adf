import {
  apiScopes,
  errorCatalog,
  problemContentType,
  type ApiScope,
  type ErrorCode,
} from '@ledger/runtime';
import { amountMax, amountPattern, balancePattern, overdraftLimitPattern } from './amounts.ts';
import { currencyPattern, idLengthMax, idPattern, longSafeMax } from './fieldRules.ts';
import { metadataKeyPattern, metadataKeysMax, metadataValueLengthMax } from './metadataLimits.ts';

/**
 * The parts both APIs' OpenAPI 3.1 documents share, built from the constants the code validates
 * with (patterns, limits, the error catalogue, the scopes), so a document cannot drift from them.
 * Each API builds its own document from these and its own route constants
 * (command-api/src/openApiDocument.ts, query-api/src/openApiDocument.ts, each assembling the
 * modules in its src/openApi/).
 */

export type JsonObject = { [key: string]: unknown };

export const openApiVersion = '3.1.0';
/** The one security scheme: `Authorization: Bearer <key>` when keys are on. */
export const securitySchemeName = 'apiKey';
/** Served by both APIs (no key needed). */
export const openApiPath = '/openapi.json';

/** What each scope grants (runtime's authorization.ts lists the scopes; this says what for). */
export const scopeDescriptions: Readonly<Record<ApiScope, string>> = {
  'accounts:read':
    'every GET under /v1 (accounts, balances, history, transfers, commands) and /v1/stream',
  'accounts:write':
    'POST /v1/accounts, POST /v1/accounts/{accountId}/freeze | unfreeze | close | metadata',
  'transfers:write': 'POST /v1/transfers, POST /v1/transfers/batch',
  'ops:read': 'GET /metrics, and the check details of GET /readyz',
};

/** `#/components/schemas/<name>`. */
export const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
/** `#/components/headers/<name>`. */
export const headerRef = (name: string): JsonObject => ({ $ref: `#/components/headers/${name}` });
/** `#/components/parameters/<name>`. */
export const parameterRef = (name: string): JsonObject => ({
  $ref: `#/components/parameters/${name}`,
});

/** A strict object schema: every named property required, no other property allowed. */
export function closedObject(
  title: string,
  properties: JsonObject,
  optional: readonly string[] = [],
): JsonObject {
  return {
    title,
    type: 'object',
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
    additionalProperties: false,
  };
}

/** Largest account/transfer id: the pattern's 1 + 63 characters. */
/** JSON Schemas of the contract's scalar fields, from the patterns the code checks. */
export function scalarSchemas(): Record<string, JsonObject> {
  return {
    Id: {
      type: 'string',
      pattern: idPattern.source,
      maxLength: idLengthMax,
      description: 'An account, transfer or command id.',
      examples: ['alice'],
    },
    Amount: {
      type: 'string',
      pattern: amountPattern.source,
      description: `Minor units as a string of decimal digits, "1" to "${amountMax}" (a signed 64-bit integer), never a JSON number.`,
      examples: ['1050'],
    },
    OverdraftLimit: {
      type: 'string',
      pattern: overdraftLimitPattern.source,
      description: `Minor units, "0" to "${amountMax}".`,
      examples: ['0'],
    },
    Balance: {
      type: 'string',
      pattern: balancePattern.source,
      description:
        'Minor units, may be negative down to minus the overdraft limit (at most 38 digits).',
      examples: ['-5000'],
    },
    Currency: {
      type: 'string',
      pattern: currencyPattern.source,
      description: 'ISO 4217 alphabetic code.',
      examples: ['USD'],
    },
    Version: {
      type: 'integer',
      minimum: 1,
      maximum: longSafeMax,
      description: 'Per account: 1 when it opens, +1 with every posting that touches it.',
      examples: [3],
    },
    Metadata: {
      type: 'object',
      maxProperties: metadataKeysMax,
      propertyNames: { pattern: metadataKeyPattern.source },
      additionalProperties: { type: 'string', maxLength: metadataValueLengthMax },
      description: `Free-form strings: at most ${metadataKeysMax} keys, values of at most ${metadataValueLengthMax} characters.`,
      examples: [{ note: 'rent' }],
    },
    VersionsByAccount: {
      type: 'object',
      propertyNames: { pattern: idPattern.source },
      additionalProperties: ref('Version'),
      description: "Each touched account's version after the command.",
    },
    BalancesByAccount: {
      type: 'object',
      propertyNames: { pattern: idPattern.source },
      additionalProperties: ref('Balance'),
      description: "Each touched account's balance after the transfer.",
    },
  };
}

/** RFC 9457 problem document; `code` is one of the catalogue's (runtime's errors.ts). */
export function problemSchema(): JsonObject {
  return {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string', format: 'uri', description: '`urn:ledger:problem:<code>`' },
      title: { type: 'string' },
      status: {
        type: 'integer',
        enum: [...new Set(Object.values(errorCatalog).map((e) => e.status))],
      },
      detail: { type: 'string' },
      code: { type: 'string', enum: Object.keys(errorCatalog) },
      commandId: { type: 'string', description: 'A command the ledger rejected.' },
      transferId: { type: 'string' },
      accountId: { type: 'string' },
      field: { type: 'string', description: 'The unknown or missing field of an invalid body.' },
    },
    additionalProperties: true,
  };
}

/** `urn:ledger:problem:<code>`, what runtime's problemFor writes. */
export function problemExample(
  code: ErrorCode,
  detail: string,
  extra: JsonObject = {},
): JsonObject {
  const { status, title } = errorCatalog[code];
  return { type: `urn:ledger:problem:${code}`, title, status, detail, code, ...extra };
}

/** The headers of the components, by name. */
export function sharedHeaders(requestIdLengthMax: number): Record<string, JsonObject> {
  return {
    XRequestId: {
      description:
        "The request's id: the client's `X-Request-Id` echoed when sane, else a generated one.",
      required: true,
      schema: { type: 'string', pattern: requestIdPattern(requestIdLengthMax) },
    },
    RetryAfter: {
      description: 'Seconds to wait before retrying (always with `rate_limited` and `overloaded`).',
      required: false,
      schema: { type: 'string', pattern: '^[0-9]+$' },
    },
    WwwAuthenticate: {
      description:
        '`Bearer` for a missing key, `Bearer error="invalid_token"` for one that is not valid (RFC 6750).',
      required: true,
      schema: { type: 'string', pattern: '^Bearer( error="invalid_token")?$' },
    },
  };
}

/** Printable ASCII, bounded: the ids both APIs echo. */
export function requestIdPattern(lengthMax: number): string {
  return `^[\\x21-\\x7e]{1,${lengthMax}}$`;
}

/** The `X-Request-Id` request header, as a reusable parameter. */
export function requestIdParameter(lengthMax: number): JsonObject {
  return {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description:
      'Echoed on the response when it is printable ASCII of at most this length; else one is generated.',
    schema: { type: 'string', pattern: requestIdPattern(lengthMax) },
    example: 'req-7f3a',
  };
}

/** The bearer scheme with the scopes it carries. */
export function securitySchemes(): Record<string, JsonObject> {
  const lines = apiScopes.map((scope) => `- \`${scope}\`: ${scopeDescriptions[scope]}`);
  return {
    [securitySchemeName]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'lk_<16 hex id>_<43 base64url characters>',
      description: [
        'API keys are off by default (local use); `LEDGER_API_KEYS_FILE` or `LEDGER_API_KEYS` turn them on.',
        'A key holds scopes and may hold an account prefix (a tenant: every account a request names must start with it, else 403 `forbidden`).',
        'Scopes:',
        ...lines,
      ].join('\n'),
    },
  };
}

/** `security` of an operation that needs this scope. */
export function securedBy(scope: ApiScope): JsonObject[] {
  return [{ [securitySchemeName]: [scope] }];
}

/** Response headers every answer carries. */
const requestIdHeaderRef = headerRef('XRequestId');

export interface ExampleSet {
  readonly [name: string]: { readonly summary: string; readonly value: unknown };
}

/**
 * A problem response for one status: the codes it may carry (each must have that status in the
 * catalogue, else this throws at build time), its headers (Retry-After for 429/503,
 * WWW-Authenticate for 401) and its examples.
 */
export function problemResponse(
  description: string,
  codes: readonly ErrorCode[],
  examples: ExampleSet = {},
): JsonObject {
  const statuses = new Set(codes.map((code) => errorCatalog[code].status));
  if (statuses.size !== 1)
    throw new Error(`problem codes of one response differ in status: ${codes.join(', ')}`);
  const [status] = [...statuses] as [number];
  for (const [name, example] of Object.entries(examples)) {
    const value = example.value as { code?: unknown };
    if (!codes.includes(value.code as ErrorCode)) {
      throw new Error(
        `example ${name} has code ${String(value.code)}, not one of ${codes.join(', ')}`,
      );
    }
  }
  const headers: JsonObject = { 'X-Request-Id': requestIdHeaderRef };
  if (status === 429 || status === 503) headers['Retry-After'] = headerRef('RetryAfter');
  if (status === 401) headers['WWW-Authenticate'] = headerRef('WwwAuthenticate');
  return {
    description: `${description} (${codes.map((code) => `\`${code}\``).join(', ')})`,
    headers,
    content: {
      [problemContentType]: {
        schema: {
          allOf: [ref('Problem')],
          properties: { status: { const: status }, code: { enum: [...codes] } },
        },
        ...(Object.keys(examples).length === 0 ? {} : { examples }),
      },
    },
  };
}

/** A JSON response with X-Request-Id and any further headers. */
export function jsonResponse(
  description: string,
  schema: JsonObject,
  examples: ExampleSet,
  headers: JsonObject = {},
): JsonObject {
  return {
    description,
    headers: { 'X-Request-Id': requestIdHeaderRef, ...headers },
    content: { 'application/json': { schema, examples } },
  };
}

/** `/healthz`, `/readyz`, `/metrics` and `/openapi.json`, the same on both APIs (runtime's opsRoutes.ts). */
export function opsPaths(): Record<string, JsonObject> {
  const plain = (description: string, schema: JsonObject, examples: ExampleSet) => ({
    description,
    content: { 'application/json': { schema, examples } },
  });
  const readiness = {
    type: 'object',
    required: ['status'],
    properties: {
      status: { enum: ['ready', 'not_ready', 'draining'] },
      checks: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description:
          "Each dependency's check: `ok` or why not. Shown to `ops:read` (or with keys off).",
      },
      error: { type: 'string' },
    },
    additionalProperties: false,
  };
  // Any path: what node's HTTP parser refuses is answered on the socket (runtime's
  // clientErrors.ts).
  const parserRefusal = {
    description:
      "A request node's HTTP parser refuses (`invalid_request`), answered before any route.",
    content: {
      [problemContentType]: {
        schema: { allOf: [ref('Problem')], properties: { code: { const: 'invalid_request' } } },
      },
    },
  };
  return {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['Operations'],
        summary: 'Liveness: the process answers',
        security: [],
        responses: {
          '400': parserRefusal,
          '200': plain(
            'Alive.',
            {
              type: 'object',
              required: ['status'],
              properties: { status: { const: 'ok' } },
              additionalProperties: false,
            },
            {
              alive: { summary: 'Alive', value: { status: 'ok' } },
            },
          ),
        },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        tags: ['Operations'],
        summary: 'Readiness: every required dependency answers',
        description:
          'The status code is open to anyone; the checks are shown only with keys off or to a key with `ops:read`.',
        security: [],
        responses: {
          '400': parserRefusal,
          '200': plain('Ready.', readiness, {
            ready: {
              summary: 'Ready',
              value: { status: 'ready', checks: { postgres: 'ok', kafka: 'ok' } },
            },
          }),
          '503': plain('A dependency does not answer, or the instance is draining.', readiness, {}),
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        tags: ['Operations'],
        summary: 'Prometheus metrics',
        security: securedBy('ops:read'),
        responses: {
          '200': {
            description: 'Prometheus text exposition format.',
            content: {
              'text/plain': {
                schema: { type: 'string' },
                examples: {
                  metrics: { summary: 'Metrics', value: '# HELP process_cpu_seconds_total …\n' },
                },
              },
            },
          },
          '401': problemResponse('No key, or one that is not valid', ['unauthorized']),
          '403': problemResponse('The key lacks `ops:read`', ['forbidden']),
        },
      },
    },
    [openApiPath]: {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['Operations'],
        summary: 'This document',
        security: [],
        responses: {
          '400': parserRefusal,
          '200': plain(
            'The OpenAPI 3.1 document of this API.',
            {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: {
                openapi: { const: openApiVersion },
                info: { type: 'object' },
                paths: { type: 'object' },
              },
            },
            {
              document: {
                summary: 'The document',
                value: { openapi: openApiVersion, info: { title: '…', version: '…' }, paths: {} },
              },
            },
          ),
        },
      },
    },
  };
}

/** Components both documents hold. */
export function sharedComponents(requestIdLengthMax: number): JsonObject {
  return {
    schemas: { ...scalarSchemas(), Problem: problemSchema() },
    headers: sharedHeaders(requestIdLengthMax),
    parameters: { XRequestId: requestIdParameter(requestIdLengthMax) },
    securitySchemes: securitySchemes(),
  };
}
