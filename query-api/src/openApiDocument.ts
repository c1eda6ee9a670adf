import {
  closedObject,
  jsonResponse,
  openApiVersion,
  opsPaths,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  sharedComponents,
  type ExampleSet,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { currencyPattern, idPattern, longSafeMax } from '@ledger/schemas';
import { outcomeCodes } from '@ledger/runtime';
import { encodeAccountListCursor } from './http/accountListCursor.ts';
import { cursorLengthMax, encodeHistoryCursor } from './http/historyCursor.ts';
import { requestIdLengthMax } from './http/httpSupport.ts';
import {
  accountListLimitDefault,
  accountListLimitMax,
  historyLimitDefault,
  historyLimitMax,
  queryLengthMax,
  waitMsDefault,
  waitMsMax,
} from './http/requestParsing.ts';
import { streamMessageBytesMax, streamPendingMessagesMax } from './balanceStream.ts';
import { streamPath } from './streamUpgrade.ts';
import { accountListScanMax, accountStatuses } from './postgres/readModels.ts';

/**
 * The query API's OpenAPI 3.1 document, built from the constants its parsers use (query
 * parameters and their bounds, cursor, ids, error codes, the scope), served at `GET /openapi.json`
 * and written to query-api/openapi.json by `npm run openapi -w @ledger/query-api`. Examples are
 * replayed against the running API by test/openApiContract.int.test.ts: an example named N of a
 * response pairs with the parameter examples named N.
 */
export function queryApiDocument(): JsonObject {
  const shared = sharedComponents(requestIdLengthMax);
  return {
    openapi: openApiVersion,
    info: {
      title: 'Ledger query API',
      version: '1.0.0',
      summary:
        'Balances, history and transfer status, from an in-process cache kept fresh by Kafka.',
      description: [
        'Balances are served from an LRU cache kept fresh by the compacted balances changelog; history and transfers from the read models in Postgres.',
        `Read-your-writes: \`minVersion=n\` waits (up to \`waitMs\`, default ${waitMsDefault}, at most ${waitMsMax}) until the served version is at least n, else \`504 consistency_timeout\`.`,
        `Query parameters are strict: an unknown or repeated one is \`400 invalid_request\`, as is a query string over ${queryLengthMax} bytes. Ids in paths are percent-decoded once as UTF-8 and must match the id pattern (\`400 invalid_id\`).`,
        'Every response carries `X-Request-Id`. Errors are RFC 9457 problem documents (`application/problem+json`) with a `code`.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://127.0.0.1:8081', description: 'local (`LEDGER_QUERY_API_PORT`)' }],
    tags: [
      { name: 'Accounts', description: 'Accounts, balances and their history.' },
      { name: 'Transfers', description: 'Decided transfers.' },
      { name: 'Stream', description: 'Balance changes pushed over a WebSocket.' },
      { name: 'Operations', description: 'Health, readiness, metrics and this document.' },
    ],
    paths: {
      '/v1/accounts': { get: accountListOperation() },
      '/v1/accounts/{accountId}': { get: accountOperation() },
      '/v1/accounts/{accountId}/balance': { get: balanceOperation() },
      '/v1/accounts/{accountId}/transactions': { get: historyOperation() },
      '/v1/transfers/{transferId}': { get: transferOperation() },
      [streamPath]: { get: streamOperation() },
      ...opsPaths(),
    },
    components: {
      ...shared,
      // Versions and balances by account are the command API's answers.
      schemas: {
        ...Object.fromEntries(
          Object.entries(shared.schemas as JsonObject).filter(
            ([name]) => name !== 'VersionsByAccount' && name !== 'BalancesByAccount',
          ),
        ),
        ...querySchemas(),
      },
    },
  };
}

const parameter = (name: string): JsonObject => ({ $ref: `#/components/parameters/${name}` });

/** The examples below read this state (the contract test sets it up): alice at version 3. */
const aliceBalance = '3800';
const postedAt = '2026-05-01T12:00:00.000Z';

function querySchemas(): Record<string, JsonObject> {
  const nullable = (name: string) => ({ oneOf: [ref(name), { type: 'null' }] });
  const accountIdList = { type: 'array', minItems: 1, items: ref('Id') };
  return {
    Account: {
      type: 'object',
      required: [
        'accountId',
        'currency',
        'balance',
        'overdraftLimit',
        'status',
        'version',
        'createdAt',
        'metadata',
      ],
      properties: {
        accountId: ref('Id'),
        currency: ref('Currency'),
        balance: ref('Balance'),
        overdraftLimit: {
          ...nullable('OverdraftLimit'),
          description:
            'null while the opening is not projected yet (also status, createdAt, metadata).',
        },
        status: { type: ['string', 'null'], examples: ['open'] },
        version: ref('Version'),
        createdAt: { type: ['string', 'null'], format: 'date-time' },
        metadata: nullable('Metadata'),
      },
      additionalProperties: false,
    },
    AccountBalance: {
      type: 'object',
      required: ['accountId', 'currency', 'balance', 'version'],
      properties: {
        accountId: ref('Id'),
        currency: ref('Currency'),
        balance: ref('Balance'),
        version: ref('Version'),
      },
      additionalProperties: false,
    },
    BalanceAtVersion: pastBalance('asOfVersion', {
      ...ref('Version'),
      description: 'The version asked for.',
    }),
    BalanceAtInstant: pastBalance('asOf', {
      type: 'string',
      format: 'date-time',
      description: 'The instant asked for, in UTC to the millisecond.',
    }),
    HistoryItem: {
      type: 'object',
      required: [
        'transferId',
        'direction',
        'amount',
        'balanceAfter',
        'version',
        'counterpartyAccountId',
        'postedAt',
      ],
      properties: {
        transferId: ref('Id'),
        direction: { enum: ['debit', 'credit'] },
        amount: ref('Amount'),
        balanceAfter: ref('Balance'),
        version: ref('Version'),
        counterpartyAccountId: ref('Id'),
        postedAt: { type: 'string', format: 'date-time' },
      },
      additionalProperties: false,
    },
    ListedAccount: {
      type: 'object',
      description:
        'An account as `GET /v1/accounts/{accountId}` answers it, always with its details.',
      required: [
        'accountId',
        'currency',
        'balance',
        'overdraftLimit',
        'status',
        'version',
        'createdAt',
        'metadata',
      ],
      properties: {
        accountId: ref('Id'),
        currency: ref('Currency'),
        balance: ref('Balance'),
        overdraftLimit: ref('OverdraftLimit'),
        status: { enum: [...accountStatuses] },
        version: ref('Version'),
        createdAt: { type: 'string', format: 'date-time' },
        metadata: ref('Metadata'),
      },
      additionalProperties: false,
    },
    AccountPage: {
      type: 'object',
      required: ['accounts', 'nextCursor'],
      properties: {
        accounts: { type: 'array', maxItems: accountListLimitMax, items: ref('ListedAccount') },
        nextCursor: {
          type: ['string', 'null'],
          maxLength: cursorLengthMax,
          pattern: '^[A-Za-z0-9_-]+$',
          description:
            'Opaque; null once the range is exhausted. A page may hold fewer accounts than `limit` (even none) and still have one.',
        },
      },
      additionalProperties: false,
    },
    HistoryPage: {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', maxItems: historyLimitMax, items: ref('HistoryItem') },
        nextCursor: {
          type: ['string', 'null'],
          maxLength: cursorLengthMax,
          pattern: '^[A-Za-z0-9_-]+$',
          description: 'Opaque, bound to the account; null on the last page.',
        },
      },
      additionalProperties: false,
    },
    Transfer: {
      type: 'object',
      required: ['transferId', 'status', 'fromAccountId', 'toAccountId', 'amount', 'currency'],
      properties: {
        transferId: ref('Id'),
        status: { enum: ['posted', 'rejected'] },
        fromAccountId: ref('Id'),
        toAccountId: ref('Id'),
        amount: ref('Amount'),
        currency: ref('Currency'),
        code: {
          enum: [...outcomeCodes],
          description: 'Why it was rejected.',
        },
        postedAt: { type: 'string', format: 'date-time' },
      },
      additionalProperties: false,
    },
    StreamClientMessage: {
      description: `A text frame from the client (at most ${streamMessageBytesMax} bytes; at most ${streamPendingMessagesMax} waiting to be handled, else the connection is closed with 1008). Subscriptions per connection are bounded (\`LEDGER_QUERY_API_STREAM_SUBSCRIPTIONS_MAX\`, default 100).`,
      oneOf: [
        closedObject('subscribe', { subscribe: accountIdList }),
        closedObject('unsubscribe', { unsubscribe: accountIdList }),
      ],
      examples: [{ subscribe: ['alice', 'bob'] }, { unsubscribe: ['bob'] }],
    },
    StreamServerMessage: {
      description:
        'A text frame from the server: answers to subscribe/unsubscribe, errors, and every version of a subscribed account, in version order, starting with the current one.',
      oneOf: [
        closedObject('balance', {
          type: { const: 'balance' },
          accountId: ref('Id'),
          balance: ref('Balance'),
          version: ref('Version'),
        }),
        closedObject('subscribed', {
          type: { const: 'subscribed' },
          accountIds: { type: 'array', items: ref('Id') },
        }),
        closedObject('unsubscribed', {
          type: { const: 'unsubscribed' },
          accountIds: { type: 'array', items: ref('Id') },
        }),
        closedObject(
          'error',
          {
            type: { const: 'error' },
            code: { enum: ['invalid_request', 'invalid_id', 'forbidden', 'rate_limited'] },
            detail: { type: 'string' },
            retryAfterSeconds: { type: 'integer', minimum: 0 },
          },
          ['retryAfterSeconds'],
        ),
      ],
      examples: [
        { type: 'subscribed', accountIds: ['alice', 'bob'] },
        { type: 'balance', accountId: 'alice', balance: aliceBalance, version: 3 },
        { type: 'unsubscribed', accountIds: ['bob'] },
        {
          type: 'error',
          code: 'rate_limited',
          detail: 'too many subscriptions from this client; retry later',
          retryAfterSeconds: 1,
        },
      ],
    },
  };
}

/** A balance as it was, with what was asked echoed last. */
function pastBalance(echo: 'asOf' | 'asOfVersion', schema: JsonObject): JsonObject {
  return {
    type: 'object',
    required: ['accountId', 'currency', 'balance', 'version', echo],
    properties: {
      accountId: ref('Id'),
      currency: ref('Currency'),
      balance: ref('Balance'),
      version: ref('Version'),
      [echo]: schema,
    },
    additionalProperties: false,
  };
}

/** `accountId` in the path, with an example per example name of the operation. */
function accountIdParameter(examples: Record<string, string>): JsonObject {
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

function minVersionParameter(examples: Record<string, number>): JsonObject {
  return {
    name: 'minVersion',
    in: 'query',
    required: false,
    description:
      'Read-your-writes: wait until the account reaches this version (the `versions` a command answered).',
    schema: { type: 'integer', minimum: 1, maximum: longSafeMax },
    examples: Object.fromEntries(
      Object.entries(examples).map(([name, value]) => [name, { value }]),
    ),
  };
}

function waitMsParameter(examples: Record<string, number>): JsonObject {
  return {
    name: 'waitMs',
    in: 'query',
    required: false,
    description: 'How long `minVersion` may wait, in milliseconds.',
    schema: { type: 'integer', minimum: 0, maximum: waitMsMax, default: waitMsDefault },
    examples: Object.fromEntries(
      Object.entries(examples).map(([name, value]) => [name, { value }]),
    ),
  };
}

const readProblems = (
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

const notFoundAccount: ExampleSet = {
  notFound: { summary: 'Unknown account', value: problemExample('not_found', 'no account nobody') },
};
const invalidAccountId: ExampleSet = {
  invalidId: {
    summary: 'Bad id',
    value: problemExample('invalid_id', `accountId must match ${idPattern.source}`),
  },
};
const timeoutExample: ExampleSet = {
  consistencyTimeout: {
    summary: 'Not there in time',
    value: problemExample(
      'consistency_timeout',
      'account alice did not reach version 99 within 0 ms',
    ),
  },
};
const forbiddenAccount: ExampleSet = {
  forbidden: {
    summary: 'Outside the tenant',
    value: problemExample('forbidden', 'accountId is outside the accounts this API key may use'),
  },
};

function accountListOperation(): JsonObject {
  // The contract test's accounts in byte order: alice, bob, funding, payee, payer.
  const listed = (accountId: string, balance: string, version: number, overdraftLimit = '0') => ({
    accountId,
    currency: 'USD',
    balance,
    overdraftLimit,
    status: 'open',
    version,
    createdAt: postedAt,
    metadata: accountId === 'alice' ? { name: 'Alice' } : {},
  });
  const alice = listed('alice', aliceBalance, 3);
  const bob = listed('bob', '1200', 2);
  const funding = listed('funding', '-5100', 3, '1000000000');
  const payee = listed('payee', '100', 2);
  const afterBob = encodeAccountListCursor('bob');
  const query = (
    name: string,
    schema: JsonObject,
    description: string,
    examples: Record<string, unknown>,
  ) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema,
    examples: Object.fromEntries(Object.entries(examples).map(([key, value]) => [key, { value }])),
  });
  return {
    operationId: 'listAccounts',
    tags: ['Accounts'],
    summary: 'Accounts, in id order',
    description: [
      'Keyset pages in byte order of the ids, read from the ledger of record: each page costs the same however deep the client pages. A key with a tenant prefix lists the accounts under its prefix only.',
      `A request reads at most ${accountListScanMax} accounts, matching the filters or not: a filter that matches few of them may answer a short (even empty) page with a \`nextCursor\`. Page until \`nextCursor\` is null.`,
    ].join('\n\n'),
    security: securedBy('accounts:read'),
    parameters: [
      query(
        'limit',
        {
          type: 'integer',
          minimum: 1,
          maximum: accountListLimitMax,
          default: accountListLimitDefault,
        },
        'Accounts per page, at most.',
        { firstPage: 2, nextPage: 2, limitTooLarge: accountListLimitMax + 1 },
      ),
      query(
        'cursor',
        { type: 'string', maxLength: cursorLengthMax, pattern: '^[A-Za-z0-9_-]+$' },
        "The previous page's `nextCursor`.",
        { nextPage: afterBob, invalidCursor: 'bm90LWEtY3Vyc29y' },
      ),
      query('status', { enum: [...accountStatuses] }, 'Only accounts in this status.', {
        frozen: 'frozen',
        invalidStatus: 'active',
      }),
      query(
        'currency',
        { type: 'string', pattern: currencyPattern.source },
        'Only accounts in this currency.',
        { byCurrency: 'USD', frozen: 'USD' },
      ),
      parameter('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('A page.', ref('AccountPage'), {
        firstPage: {
          summary: 'The first two accounts, and a cursor',
          value: { accounts: [alice, bob], nextCursor: afterBob },
        },
        nextPage: {
          summary: 'The next two',
          value: {
            accounts: [funding, payee],
            nextCursor: encodeAccountListCursor('payee'),
          },
        },
        byCurrency: {
          summary: 'Every USD account',
          value: {
            accounts: [alice, bob, funding, payee, listed('payer', '0', 1)],
            nextCursor: null,
          },
        },
        frozen: { summary: 'No frozen USD account', value: { accounts: [], nextCursor: null } },
        tenant: {
          summary: 'A tenant key (prefix acme-) with no accounts yet',
          value: { accounts: [], nextCursor: null },
        },
      }),
      '400': problemResponse('Bad query', ['invalid_request'], {
        invalidCursor: {
          summary: 'Not a cursor this API returned',
          value: problemExample('invalid_request', 'cursor is not one this API returned'),
        },
        limitTooLarge: {
          summary: 'Over the page limit',
          value: problemExample(
            'invalid_request',
            `limit must be an integer from 1 to ${accountListLimitMax}`,
          ),
        },
        invalidStatus: {
          summary: 'Not a status',
          value: problemExample(
            'invalid_request',
            `status must be one of ${accountStatuses.join(', ')}`,
          ),
        },
      }),
      '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized']),
      '403': problemResponse('The key lacks `accounts:read`', ['forbidden']),
      '429': problemResponse('Too many requests from this client', ['rate_limited']),
      '503': problemResponse('A dependency is down', ['unavailable']),
    },
  };
}

function accountOperation(): JsonObject {
  return {
    operationId: 'getAccount',
    tags: ['Accounts'],
    summary: 'An account',
    security: securedBy('accounts:read'),
    parameters: [
      accountIdParameter({
        found: 'alice',
        readYourWrites: 'alice',
        notFound: 'nobody',
        invalidId: 'bad id',
        consistencyTimeout: 'alice',
        forbidden: 'alice',
      }),
      minVersionParameter({ readYourWrites: 3, consistencyTimeout: 99 }),
      waitMsParameter({ readYourWrites: 2000, consistencyTimeout: 0 }),
      parameter('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('The account.', ref('Account'), {
        found: {
          summary: 'An account',
          value: {
            accountId: 'alice',
            currency: 'USD',
            balance: aliceBalance,
            overdraftLimit: '0',
            status: 'open',
            version: 3,
            createdAt: postedAt,
            metadata: { name: 'Alice' },
          },
        },
        readYourWrites: {
          summary: 'At least version 3',
          value: {
            accountId: 'alice',
            currency: 'USD',
            balance: aliceBalance,
            overdraftLimit: '0',
            status: 'open',
            version: 3,
            createdAt: postedAt,
            metadata: { name: 'Alice' },
          },
        },
      }),
      ...readProblems(notFoundAccount, invalidAccountId, timeoutExample, forbiddenAccount),
    },
  };
}

function balanceOperation(): JsonObject {
  const balance = { accountId: 'alice', currency: 'USD', balance: aliceBalance, version: 3 };
  const query = (name: string, schema: JsonObject, description: string, examples: JsonObject) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema,
    examples: Object.fromEntries(Object.entries(examples).map(([key, value]) => [key, { value }])),
  });
  return {
    operationId: 'getBalance',
    tags: ['Accounts'],
    summary: "An account's balance: now from the cache, or as it was from the postings",
    description: [
      'Without `asOfVersion`/`asOf`: the current balance from the cache (`X-Cache: hit|miss`).',
      '`asOfVersion=n`: the balance right after version n, read from the postings (`X-Cache: bypass`); it never changes, so it carries `ETag` and `Cache-Control: immutable`, and `If-None-Match` revalidates with `304`. A version not reached yet is waited for as `minVersion` is (`waitMs`, then `504`).',
      '`asOf=<RFC 3339 date-time with an offset>`: the balance after the last posting at or before that instant (`asOf` echoed in UTC, to the millisecond); `404` before the account opened. Send a `+` offset as `%2B`.',
      '`asOf` and `asOfVersion` exclude each other and `minVersion`; `waitMs` goes with `minVersion` or `asOfVersion`.',
    ].join('\n\n'),
    security: securedBy('accounts:read'),
    parameters: [
      accountIdParameter({
        current: 'alice',
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
      query(
        'asOfVersion',
        { type: 'integer', minimum: 1, maximum: longSafeMax },
        'The balance right after this version.',
        { asOfVersion: 2, bothAsOf: 2, versionNotReached: 99 },
      ),
      query(
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
      parameter('XRequestId'),
    ],
    responses: {
      '200': jsonResponse(
        'The balance.',
        { oneOf: [ref('AccountBalance'), ref('BalanceAtVersion'), ref('BalanceAtInstant')] },
        {
          current: { summary: 'The current balance', value: balance },
          readYourWrites: { summary: 'At least version 3', value: balance },
          asOfVersion: {
            summary: 'Right after version 2',
            value: {
              accountId: 'alice',
              currency: 'USD',
              balance: '5000',
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

function historyOperation(): JsonObject {
  // alice's postings: v2 (credit from funding), v3 (debit to bob); a page of one ends at v3.
  const secondPage = encodeHistoryCursor({ accountId: 'alice', beforeVersion: 3 });
  const newest = {
    transferId: 't-rent',
    direction: 'debit',
    amount: '1200',
    balanceAfter: aliceBalance,
    version: 3,
    counterpartyAccountId: 'bob',
    postedAt,
  };
  const oldest = {
    transferId: 't-fund-alice',
    direction: 'credit',
    amount: '5000',
    balanceAfter: '5000',
    version: 2,
    counterpartyAccountId: 'funding',
    postedAt,
  };
  return {
    operationId: 'listAccountTransactions',
    tags: ['Accounts'],
    summary: "An account's postings, newest first",
    description:
      'Keyset pages: each page costs the same however deep the client pages. The account is checked through the cache first (404 for an unknown one; `minVersion` waits as on the account routes).',
    security: securedBy('accounts:read'),
    parameters: [
      accountIdParameter({
        firstPage: 'alice',
        nextPage: 'alice',
        everything: 'alice',
        notFound: 'nobody',
        invalidCursor: 'alice',
        limitTooLarge: 'alice',
      }),
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: {
          type: 'integer',
          minimum: 1,
          maximum: historyLimitMax,
          default: historyLimitDefault,
        },
        examples: {
          firstPage: { value: 1 },
          nextPage: { value: 1 },
          limitTooLarge: { value: historyLimitMax + 1 },
        },
      },
      {
        name: 'cursor',
        in: 'query',
        required: false,
        description: "The previous page's `nextCursor`.",
        schema: { type: 'string', maxLength: cursorLengthMax, pattern: '^[A-Za-z0-9_-]+$' },
        examples: {
          nextPage: { value: secondPage },
          invalidCursor: { value: 'bm90LWEtY3Vyc29y' },
        },
      },
      minVersionParameter({ everything: 3 }),
      waitMsParameter({}),
      parameter('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('A page.', ref('HistoryPage'), {
        firstPage: {
          summary: 'The newest posting, and a cursor',
          value: { items: [newest], nextCursor: secondPage },
        },
        nextPage: { summary: 'The last page', value: { items: [oldest], nextCursor: null } },
        everything: {
          summary: 'Everything at least at version 3',
          value: { items: [newest, oldest], nextCursor: null },
        },
      }),
      ...readProblems(
        notFoundAccount,
        {
          invalidCursor: {
            summary: 'Not a cursor this API returned',
            value: problemExample('invalid_request', 'cursor is not one this API returned'),
          },
          limitTooLarge: {
            summary: 'Over the page limit',
            value: problemExample(
              'invalid_request',
              `limit must be an integer from 1 to ${historyLimitMax}`,
            ),
          },
        },
        {},
        {},
      ),
    },
  };
}

function transferOperation(): JsonObject {
  return {
    operationId: 'getTransfer',
    tags: ['Transfers'],
    summary: 'A decided transfer',
    description:
      "404 until the processor decided it and the projector wrote it. A key with a tenant sees a transfer when either side is the tenant's; any other is 404, as an unknown id.",
    security: securedBy('accounts:read'),
    parameters: [
      {
        name: 'transferId',
        in: 'path',
        required: true,
        schema: ref('Id'),
        examples: {
          posted: { value: 't-rent' },
          rejected: { value: 't-too-much' },
          notFound: { value: 't-unknown' },
          invalidId: { value: 'bad id' },
        },
      },
      parameter('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('The transfer.', ref('Transfer'), {
        posted: {
          summary: 'Posted',
          value: {
            transferId: 't-rent',
            status: 'posted',
            fromAccountId: 'alice',
            toAccountId: 'bob',
            amount: '1200',
            currency: 'USD',
            postedAt,
          },
        },
        rejected: {
          summary: 'Rejected',
          value: {
            transferId: 't-too-much',
            status: 'rejected',
            fromAccountId: 'alice',
            toAccountId: 'bob',
            amount: '999999',
            currency: 'USD',
            code: 'insufficient_funds',
          },
        },
      }),
      '400': problemResponse('Bad id, or a query string', ['invalid_id', 'invalid_request'], {
        invalidId: {
          summary: 'Bad id',
          value: problemExample('invalid_id', `transferId must match ${idPattern.source}`),
        },
      }),
      '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized']),
      '403': problemResponse('The key lacks `accounts:read`', ['forbidden']),
      '404': problemResponse("Not decided yet, unknown, or not the tenant's", ['not_found'], {
        notFound: {
          summary: 'Unknown',
          value: problemExample('not_found', 'no decided transfer t-unknown'),
        },
      }),
      '429': problemResponse('Too many requests from this client', ['rate_limited']),
    },
  };
}

function streamOperation(): JsonObject {
  const handshake = (
    name: string,
    schema: JsonObject,
    examples: Record<string, string>,
  ): JsonObject => ({
    name,
    in: 'header',
    required: true,
    schema,
    examples: Object.fromEntries(
      Object.entries(examples).map(([example, value]) => [example, { value }]),
    ),
  });
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  return {
    operationId: 'streamBalances',
    tags: ['Stream'],
    summary: 'Balance changes over a WebSocket',
    description: [
      'A WebSocket (RFC 6455) handshake; OpenAPI describes only the HTTP half. After `101`, the client sends `StreamClientMessage` text frames and the server sends `StreamServerMessage` frames (see the schemas, and `x-websocket-messages`).',
      'Refusals are problem documents written on the socket: another path `404`, a closing server `503`, the key and its scope `401`/`403`, the connect rate limit `429`, capacity `503`, a bad handshake `400`.',
      'A key with a tenant may subscribe only to its accounts (an error frame with `forbidden`); too many subscriptions per window is an error frame with `rate_limited` and `retryAfterSeconds`.',
    ].join('\n\n'),
    security: securedBy('accounts:read'),
    parameters: [
      handshake(
        'Upgrade',
        { const: 'websocket' },
        { unauthorized: 'websocket', badHandshake: 'websocket' },
      ),
      handshake(
        'Connection',
        { type: 'string', pattern: '[Uu][Pp][Gg][Rr][Aa][Dd][Ee]' },
        { unauthorized: 'Upgrade', badHandshake: 'Upgrade' },
      ),
      handshake('Sec-WebSocket-Key', { type: 'string' }, { unauthorized: key, badHandshake: key }),
      handshake(
        'Sec-WebSocket-Version',
        { type: 'string' },
        { unauthorized: '13', badHandshake: '7' },
      ),
      parameter('XRequestId'),
    ],
    responses: {
      '101': {
        description: 'Switching protocols: the WebSocket is open.',
        headers: {
          'Sec-WebSocket-Accept': { required: true, schema: { type: 'string' } },
        },
      },
      '400': problemResponse('Not a WebSocket handshake ws accepts', ['invalid_request'], {
        badHandshake: {
          summary: 'Unsupported version',
          value: problemExample(
            'invalid_request',
            'not a WebSocket handshake: Missing or invalid Sec-WebSocket-Version header',
          ),
        },
      }),
      '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized'], {
        unauthorized: {
          summary: 'No key',
          value: problemExample(
            'unauthorized',
            'an API key is required: send Authorization: Bearer <key>',
          ),
        },
      }),
      '403': problemResponse('The key lacks `accounts:read`', ['forbidden']),
      '404': problemResponse('Not a GET', ['not_found']),
      '429': problemResponse('Too many connections opened by this client', ['rate_limited']),
      '503': problemResponse('Shutting down, or at its connection limit', [
        'unavailable',
        'overloaded',
      ]),
    },
    'x-websocket-messages': {
      client: ref('StreamClientMessage'),
      server: ref('StreamServerMessage'),
    },
  };
}
