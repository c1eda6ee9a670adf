import { closedObject, ref, type JsonObject } from '@ledger/schemas/openApiParts';
import { longSafeMax } from '@ledger/schemas';
import { outcomeCodes } from '@ledger/runtime';
import { streamMessageBytesMax, streamPendingMessagesMax } from '../balanceStream.ts';
import { cursorLengthMax } from '../http/historyCursor.ts';
import { accountListLimitMax, historyLimitMax } from '../http/requestParsing.ts';
import { accountStatuses, entryKinds, transferStatuses } from '../postgres/readModels.ts';
import { aliceBalance } from './queryParts.ts';

/** The query API's own component schemas (answers and stream frames), beside the shared ones. */
export function querySchemas(): Record<string, JsonObject> {
  const nullable = (name: string) => ({ oneOf: [ref(name), { type: 'null' }] });
  const accountIdList = { type: 'array', minItems: 1, items: ref('Id') };
  return {
    Account: {
      type: 'object',
      required: [
        'accountId',
        'currency',
        'balance',
        'available',
        'overdraftLimit',
        'status',
        'version',
        'revision',
        'createdAt',
        'metadata',
      ],
      properties: {
        accountId: ref('Id'),
        currency: ref('Currency'),
        balance: ref('Balance'),
        available: availableSchema,
        overdraftLimit: {
          ...nullable('OverdraftLimit'),
          description:
            'null while the opening is not projected yet (also status, createdAt, metadata).',
        },
        status: { type: ['string', 'null'], examples: ['open'] },
        version: ref('Version'),
        revision: revisionSchema,
        createdAt: { type: ['string', 'null'], format: 'date-time' },
        metadata: nullable('Metadata'),
      },
      additionalProperties: false,
    },
    AccountBalance: {
      type: 'object',
      required: ['accountId', 'currency', 'balance', 'available', 'version'],
      properties: {
        accountId: ref('Id'),
        currency: ref('Currency'),
        balance: ref('Balance'),
        available: availableSchema,
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
      description:
        'One entry on the account, each with its own version: a posting, a hold of a pending transfer, or the release of a hold.',
      required: [
        'transferId',
        'kind',
        'direction',
        'amount',
        'balanceAfter',
        'availableAfter',
        'version',
        'counterpartyAccountId',
        'postedAt',
      ],
      properties: {
        transferId: ref('Id'),
        kind: {
          enum: [...entryKinds],
          description:
            '`posted`: money moved (a transfer, or the post of a pending one). `pending`: a pending transfer held `amount` (a debit; `balanceAfter` unchanged, `availableAfter` down by it). `voided` / `expired`: its hold was released (`balanceAfter` unchanged, `availableAfter` up by `amount`).',
        },
        direction: { enum: ['debit', 'credit'] },
        amount: ref('Amount'),
        balanceAfter: ref('Balance'),
        availableAfter: {
          ...ref('Balance'),
          description: '`balanceAfter` less what pending transfers held right after this entry.',
        },
        version: ref('Version'),
        counterpartyAccountId: ref('Id'),
        postedAt: { type: 'string', format: 'date-time', description: "The entry's time." },
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
        'available',
        'overdraftLimit',
        'status',
        'version',
        'revision',
        'createdAt',
        'metadata',
      ],
      properties: {
        accountId: ref('Id'),
        currency: ref('Currency'),
        balance: ref('Balance'),
        available: availableSchema,
        overdraftLimit: ref('OverdraftLimit'),
        status: { enum: [...accountStatuses] },
        version: ref('Version'),
        revision: revisionSchema,
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
        status: {
          enum: [...transferStatuses],
          description:
            '`posted` or `rejected` once decided. A pending transfer (a hold on `fromAccountId`) is `pending` until it is `posted` (all or part of it), `voided`, or `expired`.',
        },
        fromAccountId: ref('Id'),
        toAccountId: ref('Id'),
        amount: {
          ...ref('Amount'),
          description:
            "The transfer's amount; once a pending transfer is posted, what was posted (at most `pendingAmount`).",
        },
        currency: ref('Currency'),
        code: {
          enum: [...outcomeCodes],
          description: 'Why it was rejected.',
        },
        postedAt: { type: 'string', format: 'date-time' },
        reversalOf: {
          ...ref('Id'),
          description:
            'Present on a reversal (POST /v1/transfers/{transferId}/reverse of the command API): the transfer it takes back from.',
        },
        pendingAmount: {
          ...ref('Amount'),
          description:
            'Present on a pending transfer, in every status it takes: the amount it held on `fromAccountId`.',
        },
        expiresAt: {
          type: 'string',
          format: 'date-time',
          description:
            'Present on a pending transfer with a timeout: when it expires if it is still pending then.',
        },
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
          available: availableSchema,
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
        {
          type: 'balance',
          accountId: 'alice',
          balance: aliceBalance,
          available: aliceBalance,
          version: 3,
        },
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

/** What an account may spend, beside its balance. */
const availableSchema: JsonObject = {
  ...ref('Balance'),
  description:
    'The balance less what pending transfers hold on the account: what it may spend. The balance itself while nothing is held; never above it.',
};

/** The version of an account's settings, beside the version of its entries. */
const revisionSchema: JsonObject = {
  type: 'integer',
  minimum: 1,
  maximum: longSafeMax,
  description:
    "1 when the account opens, +1 with every change of its status or metadata (freeze, unfreeze, close, metadata update; the command API's `POST /v1/accounts/{accountId}/…`). `version` does not move with these: `status` and `metadata` are at this revision.",
  examples: [1],
};

/** A balance as it was, with what was asked echoed last. */
function pastBalance(echo: 'asOf' | 'asOfVersion', schema: JsonObject): JsonObject {
  return {
    type: 'object',
    required: ['accountId', 'currency', 'balance', 'available', 'version', echo],
    properties: {
      accountId: ref('Id'),
      currency: ref('Currency'),
      balance: ref('Balance'),
      available: {
        ...ref('Balance'),
        description: 'The balance less what pending transfers held, right after `version`.',
      },
      version: ref('Version'),
      [echo]: schema,
    },
    additionalProperties: false,
  };
}
