import {
  jsonResponse,
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { idPattern } from '@ledger/schemas';
import {
  commandIdExample,
  commandResponseHeaders,
  commonCommandProblems,
  missingScopeExample,
  preferParameter,
} from './commandParts.ts';

/** `POST /v1/accounts`. */
export function openAccountOperation(): JsonObject {
  const examples = {
    opened: {
      summary: 'Open and wait for the decision',
      value: { accountId: 'carol', currency: 'USD', metadata: { name: 'Carol' } },
    },
    accepted: {
      summary: 'Open without waiting',
      value: { accountId: 'dave', currency: 'EUR', overdraftLimit: '0' },
    },
    funding: {
      summary: 'A funding account may go far below zero',
      value: { accountId: 'settlement', currency: 'USD', overdraftLimit: '100000000000' },
    },
    accountExists: {
      summary: 'An id already used with another body',
      value: { accountId: 'alice', currency: 'EUR' },
    },
    invalidCurrency: {
      summary: 'Not an active ISO 4217 code',
      value: { accountId: 'erin', currency: 'UDS' },
    },
    invalidId: {
      summary: 'An id off the pattern',
      value: { accountId: 'bad id', currency: 'USD' },
    },
    unauthorized: { summary: 'No key (keys on)', value: { accountId: 'frank', currency: 'USD' } },
    forbidden: {
      summary: 'A key without accounts:write',
      value: { accountId: 'grace', currency: 'USD' },
    },
  };
  return {
    operationId: 'openAccount',
    tags: ['Accounts'],
    summary: 'Open an account',
    description:
      'The accountId is the idempotency key: the same body again replays the original command (`Idempotent-Replayed: true`), another body is `409 account_exists`.',
    security: securedBy('accounts:write'),
    parameters: [preferParameter(['opened', 'funding']), parameterRef('XRequestId')],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('OpenAccountRequest'), examples } },
    },
    responses: {
      '201': jsonResponse(
        'Applied (with `Prefer: wait`).',
        ref('AccountApplied'),
        {
          opened: {
            summary: 'Opened',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              accountId: 'carol',
              versions: { carol: 1 },
            },
          },
          funding: {
            summary: 'Opened',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              accountId: 'settlement',
              versions: { settlement: 1 },
            },
          },
        },
        commandResponseHeaders,
      ),
      '202': jsonResponse(
        'Accepted: published to Kafka, not decided yet (or not within the wait).',
        ref('AccountAccepted'),
        {
          accepted: {
            summary: 'Accepted',
            value: { commandId: commandIdExample, status: 'accepted', accountId: 'dave' },
          },
        },
        commandResponseHeaders,
      ),
      ...commonCommandProblems(
        {
          invalidCurrency: {
            summary: 'Unknown currency',
            value: problemExample(
              'invalid_request',
              'currency must be an active ISO 4217 alphabetic code such as USD, EUR or VND',
            ),
          },
          invalidId: {
            summary: 'Bad id',
            value: problemExample('invalid_id', `accountId must match ${idPattern.source}`),
          },
        },
        missingScopeExample('accounts:write'),
      ),
      '409': problemResponse(
        'The accountId is taken by another body (at the edge, or by the ledger processor)',
        ['account_exists'],
        {
          accountExists: {
            summary: 'Taken',
            value: problemExample(
              'account_exists',
              'accountId alice is already used with a different request',
              { commandId: commandIdExample },
            ),
          },
        },
      ),
    },
  };
}
