import {
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { amountMax, idPattern } from '@ledger/schemas';
import {
  commandIdExample,
  commonCommandProblems,
  missingScopeExample,
  unknownFieldExample,
  transferAnswers,
  preferParameter,
} from './commandParts.ts';

/** `POST /v1/transfers`. */
export function transferOperation(): JsonObject {
  const funded = { fromAccountId: 'funding', toAccountId: 'payee', currency: 'USD' };
  const examples = {
    applied: {
      summary: 'Transfer and wait for the decision',
      value: {
        transferId: 't-1001',
        ...funded,
        amount: '1050',
        metadata: { note: 'invoice 1001' },
      },
    },
    pending: {
      summary: 'Hold 500 for an hour (a pending transfer) and wait',
      value: {
        transferId: 'h-1001',
        ...funded,
        amount: '500',
        pending: true,
        timeoutSeconds: 3600,
      },
    },
    accepted: {
      summary: 'Transfer without waiting',
      value: { transferId: 't-1002', ...funded, amount: '250' },
    },
    withIdempotencyKey: {
      summary: 'No transferId: the Idempotency-Key names the transfer',
      value: { ...funded, amount: '75' },
    },
    replayed: {
      summary: 'The same request again: the original, once',
      value: { transferId: 't-0999', ...funded, amount: '100' },
    },
    idempotencyConflict: {
      summary: 'A transferId reused with another body',
      value: { transferId: 't-0999', ...funded, amount: '101' },
    },
    insufficientFunds: {
      summary: 'More than the balance and overdraft allow',
      value: {
        transferId: 't-1003',
        fromAccountId: 'payer',
        toAccountId: 'payee',
        amount: '1',
        currency: 'USD',
      },
    },
    accountNotFound: {
      summary: 'An account that does not exist',
      value: {
        transferId: 't-1004',
        fromAccountId: 'funding',
        toAccountId: 'nobody',
        amount: '1',
        currency: 'USD',
      },
    },
    sameAccount: {
      summary: 'From and to the same account',
      value: { fromAccountId: 'payee', toAccountId: 'payee', amount: '1', currency: 'USD' },
    },
    invalidAmount: { summary: 'A fraction', value: { ...funded, amount: '10.50' } },
    unknownField: {
      summary: 'A field the schema does not have',
      value: { ...funded, amount: '1', memo: 'x' },
    },
    forbidden: { summary: 'A key without transfers:write', value: { ...funded, amount: '1' } },
    unauthorized: { summary: 'No key (keys on)', value: { ...funded, amount: '1' } },
  };
  const transferProblem = (code: 'insufficient_funds' | 'account_not_found', transferId: string) =>
    problemExample(code, `the ledger processor rejected the command: ${code}`, {
      commandId: commandIdExample,
      transferId,
    });
  return {
    operationId: 'createTransfer',
    tags: ['Transfers'],
    summary: 'Move money between two accounts',
    description: [
      'The idempotency key is the `Idempotency-Key` header, else the transferId: the same body again replays the original command (`Idempotent-Replayed: true`), another body is `409 idempotency_conflict`.',
      'With `"pending": true` the transfer is a hold: the amount is reserved on `fromAccountId` (what it may spend, `available`, drops; its `balance` does not; its `version` rises) until `POST /v1/transfers/{transferId}/post` moves it, `…/void` releases it, or `timeoutSeconds` pass and it expires. Every transfer, pending or not, needs the available balance: `balance − held − amount ≥ −overdraftLimit`.',
    ].join('\n\n'),
    security: securedBy('transfers:write'),
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Defaults to the transferId; an absent transferId becomes this key.',
        schema: { type: 'string', pattern: idPattern.source },
        examples: { withIdempotencyKey: { summary: 'A client-chosen key', value: 'order-42' } },
      },
      preferParameter(['applied', 'pending', 'replayed', 'insufficientFunds', 'accountNotFound']),
      parameterRef('XRequestId'),
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('TransferRequest'), examples } },
    },
    responses: {
      ...transferAnswers(
        'transfer',
        {
          applied: {
            summary: 'Applied',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              transferId: 't-1001',
              versions: { funding: 4, payee: 4 },
              balances: { funding: '-1150', payee: '1150' },
            },
          },
          pending: {
            summary: 'Pending: 500 held on funding, its balance unchanged',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              transferId: 'h-1001',
              versions: { funding: 5 },
              balances: { funding: '-1150' },
            },
          },
          replayed: {
            summary: 'Replayed (header Idempotent-Replayed: true)',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              transferId: 't-0999',
              versions: { funding: 2, payee: 2 },
              balances: { funding: '-100', payee: '100' },
            },
          },
        },
        {
          accepted: {
            summary: 'Accepted',
            value: { commandId: commandIdExample, status: 'accepted', transferId: 't-1002' },
          },
          withIdempotencyKey: {
            summary: 'Named by the key',
            value: { commandId: commandIdExample, status: 'accepted', transferId: 'order-42' },
          },
        },
      ),
      ...commonCommandProblems(
        {
          sameAccount: {
            summary: 'Same account',
            value: problemExample(
              'same_account',
              'fromAccountId and toAccountId are the same account',
            ),
          },
          invalidAmount: {
            summary: 'Bad amount',
            value: problemExample(
              'invalid_amount',
              `amount must be a string of decimal digits in minor units in "1".."${amountMax}" without sign, leading zeros, fraction or exponent`,
            ),
          },
          ...unknownFieldExample,
        },
        missingScopeExample('transfers:write'),
      ),
      '409': problemResponse('The key is taken by another body', ['idempotency_conflict'], {
        idempotencyConflict: {
          summary: 'Reused key',
          value: problemExample(
            'idempotency_conflict',
            'idempotency key t-0999 was used with a different request',
            { commandId: commandIdExample },
          ),
        },
      }),
      '422': problemResponse(
        'Rejected by the ledger processor (with `Prefer: wait`); carries commandId and transferId',
        ['account_not_found', 'currency_mismatch', 'insufficient_funds', 'account_closed'],
        {
          insufficientFunds: {
            summary: 'Insufficient funds',
            value: transferProblem('insufficient_funds', 't-1003'),
          },
          accountNotFound: {
            summary: 'Unknown account',
            value: transferProblem('account_not_found', 't-1004'),
          },
        },
      ),
    },
  };
}
