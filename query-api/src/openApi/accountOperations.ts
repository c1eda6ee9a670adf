import {
  jsonResponse,
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { currencyPattern } from '@ledger/schemas';
import { encodeAccountListCursor } from '../http/accountListCursor.ts';
import { cursorLengthMax } from '../http/historyCursor.ts';
import { accountListLimitDefault, accountListLimitMax } from '../http/requestParsing.ts';
import { accountListScanMax, accountStatuses } from '../postgres/readModels.ts';
import {
  accountIdParameter,
  aliceBalance,
  forbiddenAccount,
  invalidAccountId,
  minVersionParameter,
  notFoundAccount,
  postedAt,
  queryParameter,
  readProblems,
  timeoutExample,
  waitMsParameter,
} from './queryParts.ts';

/** `GET /v1/accounts`. */
export function accountListOperation(): JsonObject {
  // The contract test's accounts in byte order: alice, bob, funding, payee, payer.
  const listed = (accountId: string, balance: string, version: number, overdraftLimit = '0') => ({
    accountId,
    currency: 'USD',
    balance,
    available: balance,
    overdraftLimit,
    status: 'open',
    version,
    revision: 1,
    createdAt: postedAt,
    metadata: accountId === 'alice' ? { name: 'Alice' } : {},
  });
  const alice = listed('alice', aliceBalance, 3);
  const bob = listed('bob', '1200', 2);
  const funding = listed('funding', '-5100', 3, '1000000000');
  const payee = listed('payee', '100', 2);
  const afterBob = encodeAccountListCursor('bob');
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
      queryParameter(
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
      queryParameter(
        'cursor',
        { type: 'string', maxLength: cursorLengthMax, pattern: '^[A-Za-z0-9_-]+$' },
        "The previous page's `nextCursor`.",
        { nextPage: afterBob, invalidCursor: 'bm90LWEtY3Vyc29y' },
      ),
      queryParameter('status', { enum: [...accountStatuses] }, 'Only accounts in this status.', {
        frozen: 'frozen',
        invalidStatus: 'active',
      }),
      queryParameter(
        'currency',
        { type: 'string', pattern: currencyPattern.source },
        'Only accounts in this currency.',
        { byCurrency: 'USD', frozen: 'USD' },
      ),
      parameterRef('XRequestId'),
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

/** `GET /v1/accounts/{accountId}`. */
export function accountOperation(): JsonObject {
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
      parameterRef('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('The account.', ref('Account'), {
        found: {
          summary: 'An account',
          value: {
            accountId: 'alice',
            currency: 'USD',
            balance: aliceBalance,
            available: aliceBalance,
            overdraftLimit: '0',
            status: 'open',
            version: 3,
            revision: 1,
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
            available: aliceBalance,
            overdraftLimit: '0',
            status: 'open',
            version: 3,
            revision: 1,
            createdAt: postedAt,
            metadata: { name: 'Alice' },
          },
        },
      }),
      ...readProblems(notFoundAccount, invalidAccountId, timeoutExample, forbiddenAccount),
    },
  };
}
