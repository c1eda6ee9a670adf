import { outcomeCodes } from '@ledger/runtime';
import { pendingTimeoutSecondsMax } from '@ledger/schemas';
import { ref, type JsonObject } from '@ledger/schemas/openApiParts';
import { expectedRevisionMax, expectedRevisionMin } from '../validation/accountChangeValidator.ts';
import { batchItemsMax } from '../validation/batchValidator.ts';
import { activeCurrencyCodes } from '../validation/currencyCodes.ts';

/** The command API's own component schemas (requests and answers), beside the shared ones. */
export function commandSchemas(): Record<string, JsonObject> {
  const subject = (field: 'accountId' | 'transferId') => ({ [field]: ref('Id') });
  const accepted = (field: 'accountId' | 'transferId') => ({
    type: 'object',
    required: ['commandId', 'status', field],
    properties: { commandId: ref('Id'), status: { const: 'accepted' }, ...subject(field) },
    additionalProperties: false,
  });
  const applied = (field: 'accountId' | 'transferId') => ({
    type: 'object',
    required: ['commandId', 'status', field, 'versions'],
    properties: {
      commandId: ref('Id'),
      status: { const: 'applied' },
      ...subject(field),
      versions: ref('VersionsByAccount'),
      balances: ref('BalancesByAccount'),
    },
    additionalProperties: false,
  });
  const replayed = {
    type: 'boolean',
    const: true,
    description:
      'The item repeated an earlier one (same transferId, same body): its original is shown.',
  };
  return {
    CurrencyCode: {
      type: 'string',
      enum: [...activeCurrencyCodes].sort(),
      description:
        'An active ISO 4217 code of a circulating currency (no metals, funds or test codes).',
    },
    OpenAccountRequest: {
      type: 'object',
      required: ['currency'],
      properties: {
        accountId: {
          ...ref('Id'),
          description: 'Absent: a UUIDv7 is generated. Also the idempotency key.',
        },
        currency: ref('CurrencyCode'),
        overdraftLimit: {
          ...ref('OverdraftLimit'),
          description: 'How far below zero the balance may go; default "0".',
        },
        metadata: ref('Metadata'),
      },
      additionalProperties: false,
    },
    ExpectedRevision: {
      type: 'integer',
      minimum: expectedRevisionMin,
      maximum: expectedRevisionMax,
      description:
        "Optimistic concurrency: the account's revision (1 when opened, +1 per applied change) the change is meant for; any other current revision is `409 revision_conflict`. Absent: no check.",
    },
    AccountStatusChangeRequest: {
      type: 'object',
      description: 'An empty object, or one naming the revision the change is meant for.',
      properties: { expectedRevision: ref('ExpectedRevision') },
      additionalProperties: false,
    },
    AccountMetadataRequest: {
      type: 'object',
      required: ['metadata'],
      properties: {
        metadata: {
          ...ref('Metadata'),
          description: 'The whole new map: it replaces the old one (`{}` clears it).',
        },
        expectedRevision: ref('ExpectedRevision'),
      },
      additionalProperties: false,
    },
    TransferRequest: {
      type: 'object',
      required: ['fromAccountId', 'toAccountId', 'amount', 'currency'],
      properties: {
        transferId: {
          ...ref('Id'),
          description: 'Absent: the Idempotency-Key when sent, else a generated UUIDv7.',
        },
        fromAccountId: ref('Id'),
        toAccountId: {
          ...ref('Id'),
          description: 'Must differ from fromAccountId (400 `same_account`).',
        },
        amount: ref('Amount'),
        currency: {
          ...ref('CurrencyCode'),
          description: "Must be both accounts' currency (422 `currency_mismatch`).",
        },
        metadata: ref('Metadata'),
        pending: {
          type: 'boolean',
          description:
            'true: a pending transfer (a hold). The amount is reserved on fromAccountId (its `available` balance drops, its `balance` does not) until it is posted (`POST /v1/transfers/{transferId}/post`), voided (`…/void`) or expires.',
        },
        timeoutSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: pendingTimeoutSecondsMax,
          description:
            'Only with `"pending": true`: seconds from its decision after which it voids itself if still pending. Absent: it never expires.',
        },
      },
      additionalProperties: false,
    },
    PostPendingRequest: {
      type: 'object',
      properties: {
        amount: {
          ...ref('Amount'),
          description: 'What to post, at most the pending amount; absent: all of it.',
        },
      },
      additionalProperties: false,
    },
    VoidPendingRequest: {
      type: 'object',
      description: 'An empty object: a void has nothing to say.',
      properties: {},
      additionalProperties: false,
    },
    ReversalRequest: {
      type: 'object',
      properties: {
        transferId: {
          ...ref('Id'),
          description:
            "The reversal's own id. Absent: the Idempotency-Key when sent, else a generated UUIDv7.",
        },
        amount: {
          ...ref('Amount'),
          description: "What to take back; absent: the original's whole amount.",
        },
        metadata: ref('Metadata'),
      },
      additionalProperties: false,
    },
    TransferBatchRequest: {
      type: 'object',
      required: ['transfers'],
      properties: {
        transfers: {
          type: 'array',
          minItems: 1,
          maxItems: batchItemsMax,
          items: ref('TransferRequest'),
        },
      },
      additionalProperties: false,
    },
    AccountAccepted: accepted('accountId'),
    AccountApplied: applied('accountId'),
    AccountChangeApplied: {
      ...applied('accountId'),
      properties: {
        ...applied('accountId').properties,
        revision: {
          type: 'integer',
          minimum: expectedRevisionMin + 1,
          maximum: expectedRevisionMax,
          description:
            "The account's revision after the change. Absent when the outcome was read back from the ledger's store rather than its notice (a later `GET /v1/accounts/{accountId}` on the query API has it).",
        },
      },
    },
    TransferAccepted: accepted('transferId'),
    TransferApplied: applied('transferId'),
    RejectionCode: { type: 'string', enum: [...outcomeCodes] },
    BatchItem: {
      oneOf: [
        {
          title: 'accepted',
          type: 'object',
          required: ['index', 'status', 'commandId', 'transferId'],
          properties: {
            index: { type: 'integer', minimum: 0 },
            status: { const: 'accepted' },
            commandId: ref('Id'),
            transferId: ref('Id'),
            replayed,
          },
          additionalProperties: false,
        },
        {
          title: 'applied',
          type: 'object',
          required: ['index', 'status', 'commandId', 'transferId', 'versions'],
          properties: {
            index: { type: 'integer', minimum: 0 },
            status: { const: 'applied' },
            commandId: ref('Id'),
            transferId: ref('Id'),
            versions: ref('VersionsByAccount'),
            balances: ref('BalancesByAccount'),
            replayed,
          },
          additionalProperties: false,
        },
        {
          title: 'rejected',
          type: 'object',
          required: ['index', 'status', 'commandId', 'transferId', 'code', 'problem'],
          properties: {
            index: { type: 'integer', minimum: 0 },
            status: { const: 'rejected' },
            commandId: ref('Id'),
            transferId: ref('Id'),
            code: ref('RejectionCode'),
            problem: ref('Problem'),
            replayed,
          },
          additionalProperties: false,
        },
        {
          title: 'invalid',
          type: 'object',
          required: ['index', 'status', 'problem'],
          properties: {
            index: { type: 'integer', minimum: 0 },
            status: { const: 'invalid' },
            problem: ref('Problem'),
            replayed,
          },
          additionalProperties: false,
        },
      ],
    },
    TransferBatchResponse: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: ref('BatchItem') } },
      additionalProperties: false,
    },
    CommandState: {
      oneOf: [
        {
          title: 'accepted',
          type: 'object',
          required: ['commandId', 'status'],
          properties: { commandId: ref('Id'), status: { const: 'accepted' } },
          additionalProperties: false,
        },
        {
          title: 'applied',
          type: 'object',
          required: ['commandId', 'status', 'versions'],
          properties: {
            commandId: ref('Id'),
            status: { const: 'applied' },
            versions: ref('VersionsByAccount'),
          },
          additionalProperties: false,
        },
        {
          title: 'rejected',
          type: 'object',
          required: ['commandId', 'status', 'code'],
          properties: {
            commandId: ref('Id'),
            status: { const: 'rejected' },
            code: ref('RejectionCode'),
          },
          additionalProperties: false,
        },
      ],
    },
  };
}

/** The headers a command answer may carry, beside the shared ones. */
export function commandHeaders(): Record<string, JsonObject> {
  return {
    Location: {
      description: 'The command: `/v1/commands/{commandId}`.',
      required: true,
      schema: { type: 'string', pattern: '^/v1/commands/[^/]+$' },
    },
    IdempotentReplayed: {
      description:
        'The request repeated an earlier one: this is the original command and its current state.',
      schema: { const: 'true' },
    },
    PreferenceApplied: {
      description:
        'The `wait` preference was honoured (absent while the outcome channel, Redis, is down).',
      schema: { type: 'string', pattern: '^wait=[0-9]+$' },
    },
  };
}
