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
import { fundingHeld, postedAt } from './queryParts.ts';

/** `GET /v1/transfers/{transferId}`. */
export function transferOperation(): JsonObject {
  return {
    operationId: 'getTransfer',
    tags: ['Transfers'],
    summary: 'A decided transfer',
    description: [
      "404 until the processor decided it and the projector wrote it. A key with a tenant sees a transfer when either side is the tenant's; any other is 404, as an unknown id.",
      'A pending transfer answers `pending` while it holds its amount, then `posted`, `voided` or `expired`, always with its `pendingAmount` (and `expiresAt` when it has a timeout). An ordinary transfer has neither field.',
    ].join('\n\n'),
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
          pending: { value: 'h-open' },
          notFound: { value: 't-unknown' },
          invalidId: { value: 'bad id' },
        },
      },
      parameterRef('XRequestId'),
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
        pending: {
          summary: 'Pending: 300 held on funding until it is posted, voided or expires',
          value: {
            transferId: 'h-open',
            status: 'pending',
            fromAccountId: 'funding',
            toAccountId: 'payee',
            amount: '300',
            currency: 'USD',
            pendingAmount: '300',
            expiresAt: fundingHeld.expiresAt,
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
