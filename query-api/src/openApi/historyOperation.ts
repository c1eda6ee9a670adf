import {
  jsonResponse,
  parameterRef,
  problemExample,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { cursorLengthMax, encodeHistoryCursor } from '../http/historyCursor.ts';
import { historyLimitDefault, historyLimitMax } from '../http/requestParsing.ts';
import {
  accountIdParameter,
  aliceBalance,
  fundingHeld,
  minVersionParameter,
  notFoundAccount,
  postedAt,
  readProblems,
  waitMsParameter,
} from './queryParts.ts';

/** `GET /v1/accounts/{accountId}/transactions`. */
export function historyOperation(): JsonObject {
  // alice's postings: v2 (credit from funding), v3 (debit to bob); a page of one ends at v3.
  const secondPage = encodeHistoryCursor({ accountId: 'alice', beforeVersion: 3 });
  const newest = {
    transferId: 't-rent',
    kind: 'posted',
    direction: 'debit',
    amount: '1200',
    balanceAfter: aliceBalance,
    availableAfter: aliceBalance,
    version: 3,
    counterpartyAccountId: 'bob',
    postedAt,
  };
  const oldest = {
    transferId: 't-fund-alice',
    kind: 'posted',
    direction: 'credit',
    amount: '5000',
    balanceAfter: '5000',
    availableAfter: '5000',
    version: 2,
    counterpartyAccountId: 'funding',
    postedAt,
  };
  return {
    operationId: 'listAccountTransactions',
    tags: ['Accounts'],
    summary: "An account's postings, newest first",
    description: [
      'Keyset pages: each page costs the same however deep the client pages. The account is checked through the cache first (404 for an unknown one; `minVersion` waits as on the account routes).',
      'Every entry that gave the account a version is here: postings (`kind: posted`), and the holds of pending transfers (`pending`, a debit of the held amount that leaves `balanceAfter` as it was) and their releases (`voided`, `expired`). `availableAfter` is the balance less what was held after the entry.',
    ].join('\n\n'),
    security: securedBy('accounts:read'),
    parameters: [
      accountIdParameter({
        firstPage: 'alice',
        nextPage: 'alice',
        everything: 'alice',
        hold: 'funding',
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
          hold: { value: 1 },
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
      parameterRef('XRequestId'),
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
        hold: {
          summary: "A pending transfer's hold: a debit that leaves the balance as it was",
          value: {
            items: [
              {
                transferId: 'h-open',
                kind: 'pending',
                direction: 'debit',
                amount: '300',
                balanceAfter: fundingHeld.balance,
                availableAfter: fundingHeld.available,
                version: fundingHeld.version,
                counterpartyAccountId: 'payee',
                postedAt,
              },
            ],
            nextCursor: encodeHistoryCursor({
              accountId: 'funding',
              beforeVersion: fundingHeld.version,
            }),
          },
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
