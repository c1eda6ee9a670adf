import {
  headerRef,
  jsonResponse,
  parameterRef,
  problemExample,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { amountMax } from '@ledger/schemas';
import { batchItemsMax } from '../validation/batchValidator.ts';
import { commandIdExample, commonCommandProblems, preferParameter } from './commandParts.ts';

/** `POST /v1/transfers/batch`. */
export function batchOperation(): JsonObject {
  const item = (transferId: string, amount: string, fromAccountId = 'funding') => ({
    transferId,
    fromAccountId,
    toAccountId: 'payee',
    amount,
    currency: 'USD',
  });
  const invalidAmount = problemExample(
    'invalid_amount',
    `transfers[1].amount must be a string of decimal digits in minor units in "1".."${amountMax}" without sign, leading zeros, fraction or exponent`,
  );
  return {
    operationId: 'createTransferBatch',
    tags: ['Transfers'],
    summary: `Many transfers in one request (1 to ${batchItemsMax})`,
    description: [
      'Each item stands alone (no atomicity across items): an invalid item is answered with its index and problem document, the others are accepted.',
      'Idempotency works per item by its transferId; an `Idempotency-Key` header is refused (400).',
      "A valid item naming an account outside the key's tenant refuses the whole request (403, nothing published).",
    ].join(' '),
    security: securedBy('transfers:write'),
    parameters: [preferParameter(['decided']), parameterRef('XRequestId')],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: ref('TransferBatchRequest'),
          examples: {
            accepted: {
              summary: 'One valid item, one invalid',
              value: { transfers: [item('b-2001', '500'), item('b-2002', '0.5')] },
            },
            decided: {
              summary: 'Wait for every outcome',
              value: { transfers: [item('b-2003', '300'), item('b-2004', '1', 'payer')] },
            },
            empty: { summary: 'No items', value: { transfers: [] } },
            unauthorized: {
              summary: 'No key (keys on)',
              value: { transfers: [item('b-2005', '1')] },
            },
          },
        },
      },
    },
    responses: {
      '200': jsonResponse(
        "With `Prefer: wait`: each item's outcome (`accepted` where not known in time).",
        ref('TransferBatchResponse'),
        {
          decided: {
            summary: 'Applied and rejected',
            value: {
              items: [
                {
                  index: 0,
                  status: 'applied',
                  commandId: commandIdExample,
                  transferId: 'b-2003',
                  versions: { funding: 7, payee: 7 },
                  balances: { funding: '-2200', payee: '2200' },
                },
                {
                  index: 1,
                  status: 'rejected',
                  commandId: commandIdExample,
                  transferId: 'b-2004',
                  code: 'insufficient_funds',
                  problem: problemExample(
                    'insufficient_funds',
                    'the ledger processor rejected the command: insufficient_funds',
                    {
                      commandId: commandIdExample,
                      transferId: 'b-2004',
                    },
                  ),
                },
              ],
            },
          },
        },
        { 'Preference-Applied': headerRef('PreferenceApplied') },
      ),
      '202': jsonResponse(
        'Valid items accepted, invalid ones answered.',
        ref('TransferBatchResponse'),
        {
          accepted: {
            summary: 'Accepted and invalid',
            value: {
              items: [
                { index: 0, status: 'accepted', commandId: commandIdExample, transferId: 'b-2001' },
                { index: 1, status: 'invalid', problem: invalidAmount },
              ],
            },
          },
        },
      ),
      ...commonCommandProblems(
        {
          empty: {
            summary: 'No items',
            value: problemExample(
              'invalid_request',
              `transfers must hold 1 to ${batchItemsMax} items, not 0`,
            ),
          },
        },
        {},
      ),
    },
  };
}
