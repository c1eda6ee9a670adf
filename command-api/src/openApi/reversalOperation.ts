import {
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
  commonCommandProblems,
  missingScopeExample,
  unknownFieldExample,
  transferAnswers,
  preferParameter,
} from './commandParts.ts';

/** `POST /v1/transfers/{transferId}/reverse`. */
export function reversalOperation(): JsonObject {
  // The contract test seeds t-0999 (funding → payee, 100, posted) and t-too-much (rejected).
  const posted = { value: 't-0999' };
  const examples = {
    reversed: {
      summary: 'Reverse part of a transfer and wait for the decision',
      value: { transferId: 'r-0999-1', amount: '40', metadata: { reason: 'refund' } },
    },
    accepted: {
      summary: 'Reverse without waiting',
      value: { transferId: 'r-0999-2', amount: '10' },
    },
    reversalExceeds: {
      summary: 'More than is left to reverse',
      value: { transferId: 'r-0999-3', amount: '1000' },
    },
    notReversible: { summary: 'A transfer that was rejected', value: { transferId: 'r-too-much' } },
    notFound: { summary: 'A transfer the ledger never decided', value: {} },
    unknownField: { summary: 'A field the schema does not have', value: { memo: 'x' } },
    forbidden: { summary: 'A key without transfers:write', value: {} },
    unauthorized: { summary: 'No key (keys on)', value: {} },
  };
  const rejected = (code: 'reversal_exceeds_transfer' | 'transfer_not_reversible', id: string) =>
    problemExample(code, `the ledger processor rejected the command: ${code}`, {
      commandId: commandIdExample,
      transferId: id,
    });
  return {
    operationId: 'reverseTransfer',
    tags: ['Transfers'],
    summary: 'Take (part of) a posted transfer back',
    description: [
      "Posts a new transfer along the original's path reversed (its `toAccountId` pays its `fromAccountId`) in its currency, linked to it by `reversalOf`; the original is never edited.",
      "`amount` defaults to the original's whole amount. All reversals of a transfer together never exceed its amount (`422 reversal_exceeds_transfer`); only a posted transfer can be reversed (`422 transfer_not_reversible`), and the paying account needs the funds like any transfer (`422 insufficient_funds`).",
      "Idempotent like `POST /v1/transfers`: the key is the `Idempotency-Key` header, else the reversal's transferId.",
      "A transfer the ledger has not decided yet (or that another tenant's key moved) is `404`.",
    ].join('\n\n'),
    security: securedBy('transfers:write'),
    parameters: [
      {
        name: 'transferId',
        in: 'path',
        required: true,
        description: 'The transfer to reverse.',
        schema: { type: 'string', pattern: idPattern.source },
        examples: {
          ...Object.fromEntries(Object.keys(examples).map((name) => [name, posted])),
          notReversible: { value: 't-too-much' },
          notFound: { value: 'no-such-transfer' },
        },
      },
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          "Defaults to the reversal's transferId; an absent transferId becomes this key.",
        schema: { type: 'string', pattern: idPattern.source },
      },
      preferParameter(['reversed', 'reversalExceeds', 'notReversible']),
      parameterRef('XRequestId'),
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('ReversalRequest'), examples } },
    },
    responses: {
      ...transferAnswers(
        'reversal',
        {
          reversed: {
            summary: 'Applied',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              transferId: 'r-0999-1',
              versions: { payee: 3, funding: 5 },
              balances: { payee: '60', funding: '-5060' },
            },
          },
        },
        {
          accepted: {
            summary: 'Accepted',
            value: { commandId: commandIdExample, status: 'accepted', transferId: 'r-0999-2' },
          },
        },
      ),
      ...commonCommandProblems(
        {
          ...unknownFieldExample,
        },
        missingScopeExample('transfers:write'),
      ),
      '404': problemResponse('No decided transfer with this id', ['not_found'], {
        notFound: {
          summary: 'Unknown transfer',
          value: problemExample(
            'not_found',
            'the ledger has decided no transfer no-such-transfer (one accepted moments ago may not be decided yet: retry)',
          ),
        },
      }),
      '409': problemResponse('The key is taken by another body', ['idempotency_conflict']),
      '422': problemResponse(
        'Rejected by the ledger processor (with `Prefer: wait`); carries commandId and transferId',
        [
          'transfer_not_reversible',
          'reversal_exceeds_transfer',
          'insufficient_funds',
          'account_closed',
        ],
        {
          reversalExceeds: {
            summary: 'Past what is left',
            value: rejected('reversal_exceeds_transfer', 'r-0999-3'),
          },
          notReversible: {
            summary: 'Not a posted transfer',
            value: rejected('transfer_not_reversible', 'r-too-much'),
          },
        },
      ),
    },
  };
}
