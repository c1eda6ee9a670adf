import {
  problemExample,
  problemResponse,
  ref,
  type ExampleSet,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { idPattern, longSafeMax } from '@ledger/schemas';
import { waitMsDefault, waitMsMax } from '../http/requestParsing.ts';

// What the query API's operations share: the state their examples read, the account id,
// read-your-writes and query parameters, and the refusals of an account read.

/**
 * The examples below read this state (the contract test sets it up): alice at version 3, nothing
 * held; funding holding 730 for the pending transfers the command API's settlement examples
 * settle (h-post 250, h-accept 100, h-void 80, and h-open 300, left pending), all to payee.
 */
export const aliceBalance = '3800';
export const postedAt = '2026-05-01T12:00:00.000Z';
/**
 * funding once the four holds are placed (versions 4 to 7, h-open's last), before any is
 * settled. Only the shape of an answer is checked against the schema, not these values.
 */
export const fundingHeld = {
  balance: '-5100',
  available: '-5830',
  version: 7,
  /** h-open's deadline: timeoutSeconds 86400 after its decision. */
  expiresAt: '2026-05-02T12:00:00.000Z',
} as const;

/** Examples by name, each only a value. */
export function valueExamples(examples: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }]));
}

/** An optional query parameter, with an example per example name of the operation. */
export function queryParameter(
  name: string,
  schema: JsonObject,
  description: string,
  examples: Record<string, unknown>,
): JsonObject {
  return {
    name,
    in: 'query',
    required: false,
    description,
    schema,
    examples: valueExamples(examples),
  };
}

/** `accountId` in the path, with an example per example name of the operation. */
export function accountIdParameter(examples: Record<string, string>): JsonObject {
  return {
    name: 'accountId',
    in: 'path',
    required: true,
    schema: ref('Id'),
    examples: Object.fromEntries(
      Object.entries(examples).map(([name, value]) => [name, { summary: value, value }]),
    ),
  };
}

export function minVersionParameter(examples: Record<string, number>): JsonObject {
  return {
    name: 'minVersion',
    in: 'query',
    required: false,
    description:
      'Read-your-writes: wait until the account reaches this version (the `versions` a command answered).',
    schema: { type: 'integer', minimum: 1, maximum: longSafeMax },
    examples: valueExamples(examples),
  };
}

export function waitMsParameter(examples: Record<string, number>): JsonObject {
  return {
    name: 'waitMs',
    in: 'query',
    required: false,
    description: 'How long `minVersion` may wait, in milliseconds.',
    schema: { type: 'integer', minimum: 0, maximum: waitMsMax, default: waitMsDefault },
    examples: valueExamples(examples),
  };
}

export const readProblems = (
  notFound: ExampleSet,
  badRequest: ExampleSet,
  timeout: ExampleSet,
  forbidden: ExampleSet,
): JsonObject => ({
  '400': problemResponse('Bad id or query', ['invalid_id', 'invalid_request'], badRequest),
  '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized']),
  '403': problemResponse(
    'The key lacks `accounts:read`, or the account is outside its tenant',
    ['forbidden'],
    forbidden,
  ),
  '404': problemResponse('No such account', ['not_found'], notFound),
  '429': problemResponse('Too many requests from this client', ['rate_limited']),
  '503': problemResponse('Too many loads or waiters at once, or a dependency is down', [
    'overloaded',
    'unavailable',
  ]),
  '504': problemResponse(
    '`minVersion` not reached within `waitMs`',
    ['consistency_timeout'],
    timeout,
  ),
});

export const notFoundAccount: ExampleSet = {
  notFound: { summary: 'Unknown account', value: problemExample('not_found', 'no account nobody') },
};
export const invalidAccountId: ExampleSet = {
  invalidId: {
    summary: 'Bad id',
    value: problemExample('invalid_id', `accountId must match ${idPattern.source}`),
  },
};
export const timeoutExample: ExampleSet = {
  consistencyTimeout: {
    summary: 'Not there in time',
    value: problemExample(
      'consistency_timeout',
      'account alice did not reach version 99 within 0 ms',
    ),
  },
};
export const forbiddenAccount: ExampleSet = {
  forbidden: {
    summary: 'Outside the tenant',
    value: problemExample('forbidden', 'accountId is outside the accounts this API key may use'),
  },
};
