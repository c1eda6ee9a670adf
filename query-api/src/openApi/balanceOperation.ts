import {
  jsonResponse,
  parameterRef,
  problemExample,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { longSafeMax } from '@ledger/schemas';
import {
  accountIdParameter,
  aliceBalance,
  fundingHeld,
  minVersionParameter,
  notFoundAccount,
  queryParameter,
  readProblems,
  timeoutExample,
  waitMsParameter,
} from './queryParts.ts';

/** `GET /v1/accounts/{accountId}/balance`. */
export function balanceOperation(): JsonObject {
  const balance = {
    accountId: 'alice',
    currency: 'USD',
    balance: aliceBalance,
    available: aliceBalance,
    version: 3,
  };
  return {
    operationId: 'getBalance',
    tags: ['Accounts'],
    summary: "An account's balance: now from the cache, or as it was from the postings",
    description: [
      'Without `asOfVersion`/`asOf`: the current balance from the cache (`X-Cache: hit|miss`), and `available`: the balance less what pending transfers hold, what the account may spend.',
      '`asOfVersion=n`: the balance right after version n, read from the postings (`X-Cache: bypass`); it never changes, so it carries `ETag` and `Cache-Control: immutable`, and `If-None-Match` revalidates with `304`. A version not reached yet is waited for as `minVersion` is (`waitMs`, then `504`).',
      '`asOf=<RFC 3339 date-time with an offset>`: the balance after the last posting at or before that instant (`asOf` echoed in UTC, to the millisecond); `404` before the account opened. Send a `+` offset as `%2B`.',
      '`asOf` and `asOfVersion` exclude each other and `minVersion`; `waitMs` goes with `minVersion` or `asOfVersion`.',
    ].join('\n\n'),
    security: securedBy('accounts:read'),
    parameters: [
      accountIdParameter({
        current: 'alice',
        held: 'funding',
        readYourWrites: 'alice',
        asOfVersion: 'alice',
        asOfInstant: 'alice',
        notFound: 'nobody',
        beforeOpening: 'alice',
        unknownParameter: 'alice',
        bothAsOf: 'alice',
        consistencyTimeout: 'alice',
        versionNotReached: 'alice',
      }),
      minVersionParameter({ readYourWrites: 3, consistencyTimeout: 99 }),
      waitMsParameter({ readYourWrites: 2000, consistencyTimeout: 0, versionNotReached: 0 }),
      queryParameter(
        'asOfVersion',
        { type: 'integer', minimum: 1, maximum: longSafeMax },
        'The balance right after this version.',
        { asOfVersion: 2, bothAsOf: 2, versionNotReached: 99 },
      ),
      queryParameter(
        'asOf',
        { type: 'string', format: 'date-time' },
        'The balance at this instant (RFC 3339, with `Z` or an offset).',
        {
          asOfInstant: '2100-01-01T00:00:00Z',
          beforeOpening: '2000-01-01T00:00:00Z',
          bothAsOf: '2100-01-01T00:00:00Z',
        },
      ),
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: 'With `asOfVersion`: the `ETag` of an earlier answer; `304` when it matches.',
        schema: { type: 'string' },
      },
      parameterRef('XRequestId'),
    ],
    responses: {
      '200': jsonResponse(
        'The balance.',
        { oneOf: [ref('AccountBalance'), ref('BalanceAtVersion'), ref('BalanceAtInstant')] },
        {
          current: { summary: 'The current balance', value: balance },
          held: {
            summary: 'Pending transfers hold 730 of it',
            value: {
              accountId: 'funding',
              currency: 'USD',
              balance: fundingHeld.balance,
              available: fundingHeld.available,
              version: fundingHeld.version,
            },
          },
          readYourWrites: { summary: 'At least version 3', value: balance },
          asOfVersion: {
            summary: 'Right after version 2',
            value: {
              accountId: 'alice',
              currency: 'USD',
              balance: '5000',
              available: '5000',
              version: 2,
              asOfVersion: 2,
            },
          },
          asOfInstant: {
            summary: 'At an instant',
            value: { ...balance, asOf: '2100-01-01T00:00:00.000Z' },
          },
        },
        {
          'X-Cache': {
            description:
              '`hit` when served from the cache, `miss` when it was loaded, `bypass` for an as-of read (from the postings).',
            required: true,
            schema: { enum: ['hit', 'miss', 'bypass'] },
          },
          ETag: {
            description: 'With `asOfVersion`: `"v<n>"`.',
            schema: { type: 'string', pattern: '^"v[0-9]+"$' },
          },
          'Cache-Control': {
            description: 'With `asOfVersion`: `max-age=31536000, immutable`.',
            schema: { type: 'string' },
          },
        },
      ),
      '304': {
        description: 'With `asOfVersion` and a matching `If-None-Match`: not modified, no body.',
        headers: {
          'X-Request-Id': { $ref: '#/components/headers/XRequestId' },
          ETag: { schema: { type: 'string' } },
        },
      },
      ...readProblems(
        {
          ...notFoundAccount,
          beforeOpening: {
            summary: 'An instant before the account opened',
            value: problemExample(
              'not_found',
              'account alice was opened at 2026-05-01T12:00:00.000Z, after 2000-01-01T00:00:00.000Z',
            ),
          },
        },
        {
          unknownParameter: {
            summary: 'A query parameter this route does not take',
            value: problemExample(
              'invalid_request',
              'unknown query parameter "minversion"; allowed: minVersion, waitMs, asOfVersion, asOf',
            ),
          },
          bothAsOf: {
            summary: 'asOf and asOfVersion together',
            value: problemExample('invalid_request', 'give asOf or asOfVersion, not both'),
          },
        },
        {
          ...timeoutExample,
          versionNotReached: {
            summary: 'asOfVersion not reached within waitMs',
            value: problemExample(
              'consistency_timeout',
              'account alice did not reach version 99 within 0 ms',
            ),
          },
        },
        {},
      ),
    },
  };
}
