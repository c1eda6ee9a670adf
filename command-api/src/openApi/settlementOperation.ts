import {
  parameterRef,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import type { ErrorCode } from '@ledger/runtime';
import { idPattern } from '@ledger/schemas';
import {
  commandIdExample,
  commonCommandProblems,
  missingScopeExample,
  unknownFieldExample,
  transferAnswers,
  preferParameter,
} from './commandParts.ts';

type Action = 'post' | 'void';

/**
 * `POST /v1/transfers/{transferId}/post` and `…/void`: settle a pending transfer. The contract
 * test seeds the pending transfers h-post (250), h-accept (100), h-void (80) and h-open (300,
 * left pending), all funding → payee, and the ordinary posted t-0999.
 */
export function settlementOperation(action: Action): JsonObject {
  const isPost = action === 'post';
  const done = isPost ? 'posted' : 'voided';
  const examples: Record<string, { summary: string; value: JsonObject; path: string }> = {
    [done]: isPost
      ? { summary: 'Post part of it and wait', value: { amount: '200' }, path: 'h-post' }
      : { summary: 'Void it and wait', value: {}, path: 'h-void' },
    ...(isPost
      ? {
          accepted: { summary: 'Post all of it without waiting', value: {}, path: 'h-accept' },
          postExceeds: {
            summary: 'More than is pending',
            value: { amount: '1000' },
            path: 'h-open',
          },
        }
      : {}),
    notPending: { summary: 'An ordinary transfer', value: {}, path: 't-0999' },
    notFound: {
      summary: 'A transfer the ledger never decided',
      value: {},
      path: 'no-such-transfer',
    },
    unknownField: {
      summary: 'A field the schema does not have',
      value: isPost ? { memo: 'x' } : { amount: '1' },
      path: 'h-open',
    },
    forbidden: { summary: 'A key without transfers:write', value: {}, path: 'h-open' },
    unauthorized: { summary: 'No key (keys on)', value: {}, path: 'h-open' },
  };
  const rejected = (code: ErrorCode, transferId: string) =>
    problemExample(code, `the ledger processor rejected the command: ${code}`, {
      commandId: commandIdExample,
      transferId,
    });
  const unknownField = isPost
    ? unknownFieldExample
    : {
        unknownField: {
          summary: 'Strict schema',
          value: problemExample('invalid_request', 'unknown field "amount" in the request body', {
            field: 'amount',
          }),
        },
      };
  return {
    operationId: isPost ? 'postPendingTransfer' : 'voidPendingTransfer',
    tags: ['Transfers'],
    summary: isPost ? 'Post a pending transfer (all or part of it)' : 'Void a pending transfer',
    description: [
      isPost
        ? "Moves `amount` (default: the whole pending amount) from the pending transfer's `fromAccountId` to its `toAccountId` and releases the whole hold: a smaller amount gives the rest back to the available balance. More than is pending is `422 post_exceeds_pending`; after the transfer's `timeoutSeconds` it is `422 pending_expired`."
        : 'Releases the whole hold: nothing moves, the available balance of `fromAccountId` rises back by the pending amount.',
      'A pending transfer is settled exactly once: by the first post or void the ledger decides, or by its expiry. The same request again replays that outcome (`Idempotent-Replayed: true`); any other settlement after it is `422 transfer_not_pending`, as is one of a transfer that never was pending. No `Idempotency-Key` is involved: the transfer is the key.',
      "A transfer the ledger has not decided yet (or that another tenant's key moved) is `404`.",
    ].join('\n\n'),
    security: securedBy('transfers:write'),
    parameters: [
      {
        name: 'transferId',
        in: 'path',
        required: true,
        description: `The pending transfer to ${action}.`,
        schema: { type: 'string', pattern: idPattern.source },
        examples: Object.fromEntries(
          Object.entries(examples).map(([name, { path }]) => [name, { value: path }]),
        ),
      },
      preferParameter(isPost ? [done, 'postExceeds', 'notPending'] : [done, 'notPending']),
      parameterRef('XRequestId'),
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: ref(isPost ? 'PostPendingRequest' : 'VoidPendingRequest'),
          examples: Object.fromEntries(
            Object.entries(examples).map(([name, { summary, value }]) => [
              name,
              { summary, value },
            ]),
          ),
        },
      },
    },
    responses: {
      ...transferAnswers(
        action,
        {
          [done]: {
            summary: 'Applied',
            value: {
              commandId: commandIdExample,
              status: 'applied',
              transferId: isPost ? 'h-post' : 'h-void',
              versions: isPost ? { funding: 9, payee: 7 } : { funding: 10 },
              balances: isPost ? { funding: '-6450', payee: '1300' } : { funding: '-6450' },
            },
          },
        },
        isPost
          ? {
              accepted: {
                summary: 'Accepted',
                value: { commandId: commandIdExample, status: 'accepted', transferId: 'h-accept' },
              },
            }
          : {},
      ),
      ...commonCommandProblems(unknownField, missingScopeExample('transfers:write')),
      '404': problemResponse('No decided transfer with this id', ['not_found'], {
        notFound: {
          summary: 'Unknown transfer',
          value: problemExample(
            'not_found',
            'the ledger has decided no transfer no-such-transfer (one accepted moments ago may not be decided yet: retry)',
          ),
        },
      }),
      '422': problemResponse(
        'Rejected by the ledger processor (with `Prefer: wait`); carries commandId and transferId',
        isPost
          ? ['transfer_not_pending', 'pending_expired', 'account_closed', 'post_exceeds_pending']
          : ['transfer_not_pending'],
        {
          ...(isPost
            ? {
                postExceeds: {
                  summary: 'More than is pending',
                  value: rejected('post_exceeds_pending', 'h-open'),
                },
              }
            : {}),
          notPending: {
            summary: 'Not a pending transfer, or settled already',
            value: rejected('transfer_not_pending', 't-0999'),
          },
        },
      ),
    },
  };
}
