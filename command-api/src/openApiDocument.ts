import { outcomeCodes } from '@ledger/runtime';
import {
  jsonResponse,
  openApiVersion,
  opsPaths,
  problemExample,
  problemResponse,
  ref,
  securedBy,
  sharedComponents,
  type ExampleSet,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { amountMax, idPattern } from '@ledger/schemas';
import { batchBodyBytesMax, bodyBytesMax } from './http/jsonBody.ts';
import { waitSecondsMax } from './http/preferWait.ts';
import { requestIdLengthMax } from './http/requestContext.ts';
import { batchItemsMax } from './validation/batchValidator.ts';
import { activeCurrencyCodes } from './validation/currencyCodes.ts';

/**
 * The command API's OpenAPI 3.1 document, built from the constants its validators use (limits,
 * patterns, currency codes, error codes, scopes), served at `GET /openapi.json` and written to
 * command-api/openapi.json by `npm run openapi -w @ledger/command-api`. Examples are replayed
 * against the running API by query-api/test/openApiContract.int.test.ts: an example named N of a
 * response pairs with the request body example and the parameter examples named N.
 */
export function commandApiDocument(): JsonObject {
  const shared = sharedComponents(requestIdLengthMax);
  return {
    openapi: openApiVersion,
    info: {
      title: 'Ledger command API',
      version: '1.0.0',
      summary: 'Open accounts and move money: commands go through Kafka to the ledger processor.',
      description: [
        'Commands are accepted once Kafka has acknowledged them (`202`); the ledger processor decides them later.',
        `With \`Prefer: wait=N\` (RFC 7240, N ≤ ${waitSecondsMax} s) a request waits for the decision: \`201\` applied, a problem document rejected, \`202\` when not known in time.`,
        'Amounts are strings of minor units, never JSON numbers. Unknown fields are refused (strict schemas).',
        `Bodies over ${bodyBytesMax} bytes (batches: ${batchBodyBytesMax}) are \`413\`; a body not declared \`application/json\` is \`415\`.`,
        'Every response carries `X-Request-Id`. Errors are RFC 9457 problem documents (`application/problem+json`) with a `code`.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'local (`LEDGER_COMMAND_API_PORT`)' }],
    tags: [
      { name: 'Accounts', description: 'Open accounts.' },
      { name: 'Transfers', description: 'Move money, one transfer or a batch.' },
      { name: 'Commands', description: 'What became of an accepted command.' },
      { name: 'Operations', description: 'Health, readiness, metrics and this document.' },
    ],
    paths: {
      '/v1/accounts': { post: openAccountOperation() },
      '/v1/transfers': { post: transferOperation() },
      '/v1/transfers/batch': { post: batchOperation() },
      '/v1/commands/{commandId}': { get: commandOperation() },
      ...opsPaths(),
    },
    components: {
      ...shared,
      schemas: { ...withoutSchemas(shared.schemas, ['Currency']), ...commandSchemas() },
      headers: { ...(shared.headers as JsonObject), ...commandHeaders() },
    },
  };
}

/** The shared schemas but those this document does not use (requests take CurrencyCode). */
function withoutSchemas(schemas: unknown, names: readonly string[]): JsonObject {
  return Object.fromEntries(
    Object.entries(schemas as JsonObject).filter(([name]) => !names.includes(name)),
  );
}

const header = (name: string): JsonObject => ({ $ref: `#/components/headers/${name}` });
const parameter = (name: string): JsonObject => ({ $ref: `#/components/parameters/${name}` });

const commandIdExample = '0197c2a4-5b1e-7c3d-9f20-6a1b2c3d4e5f';

function commandSchemas(): Record<string, JsonObject> {
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

function commandHeaders(): Record<string, JsonObject> {
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

/** `Prefer: wait=N`, with an example for each of the operation's examples that waits. */
function preferParameter(waiting: readonly string[]): JsonObject {
  return {
    name: 'Prefer',
    in: 'header',
    required: false,
    description: `RFC 7240 \`wait=N\`: wait up to N seconds (capped at ${waitSecondsMax}) for the ledger's decision. Other preferences, and an unusable \`wait\`, are ignored.`,
    schema: { type: 'string' },
    examples: Object.fromEntries(
      waiting.map((name) => [name, { summary: 'Wait up to 5 s', value: 'wait=5' }]),
    ),
  };
}

const commandResponseHeaders = {
  Location: header('Location'),
  'Idempotent-Replayed': header('IdempotentReplayed'),
  'Preference-Applied': header('PreferenceApplied'),
};

/** Refusals every POST may meet before or after validation. */
function commonCommandProblems(badRequest: ExampleSet, forbidden: ExampleSet): JsonObject {
  return {
    '400': problemResponse(
      'Invalid body',
      ['invalid_request', 'invalid_id', 'invalid_amount', 'same_account'],
      badRequest,
    ),
    '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized'], {
      unauthorized: {
        summary: 'No Authorization header',
        value: problemExample(
          'unauthorized',
          'an API key is required: send Authorization: Bearer <key>',
        ),
      },
    }),
    '403': problemResponse(
      "The key lacks the route's scope, or names an account outside its tenant",
      ['forbidden'],
      forbidden,
    ),
    '413': problemResponse('Body too large', ['payload_too_large']),
    '415': problemResponse('Body not declared JSON', ['unsupported_media_type']),
    '429': problemResponse('Too many requests from this client', ['rate_limited']),
    '503': problemResponse(
      'Processor lag over the bound, Kafka not acknowledging, draining, or the original request still being accepted',
      ['overloaded'],
    ),
  };
}

function openAccountOperation(): JsonObject {
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
    parameters: [preferParameter(['opened', 'funding']), parameter('XRequestId')],
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
        {
          forbidden: {
            summary: 'Missing scope',
            value: problemExample('forbidden', 'this API key lacks the accounts:write scope'),
          },
        },
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

function transferOperation(): JsonObject {
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
    description:
      'The idempotency key is the `Idempotency-Key` header, else the transferId: the same body again replays the original command (`Idempotent-Replayed: true`), another body is `409 idempotency_conflict`.',
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
      preferParameter(['applied', 'replayed', 'insufficientFunds', 'accountNotFound']),
      parameter('XRequestId'),
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('TransferRequest'), examples } },
    },
    responses: {
      '201': jsonResponse(
        'Applied (with `Prefer: wait`): versions and balances after the transfer.',
        ref('TransferApplied'),
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
        commandResponseHeaders,
      ),
      '202': jsonResponse(
        'Accepted: published to Kafka, not decided yet (or not within the wait).',
        ref('TransferAccepted'),
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
        commandResponseHeaders,
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
          unknownField: {
            summary: 'Strict schema',
            value: problemExample('invalid_request', 'unknown field "memo" in the request body', {
              field: 'memo',
            }),
          },
        },
        {
          forbidden: {
            summary: 'Missing scope',
            value: problemExample('forbidden', 'this API key lacks the transfers:write scope'),
          },
        },
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

function batchOperation(): JsonObject {
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
    parameters: [preferParameter(['decided']), parameter('XRequestId')],
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
        { 'Preference-Applied': header('PreferenceApplied') },
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

function commandOperation(): JsonObject {
  return {
    operationId: 'getCommand',
    tags: ['Commands'],
    summary: "A command's state",
    description:
      "For a key with a tenant, an applied command none of whose accounts is the tenant's is a 404, as for an unknown id.",
    security: securedBy('accounts:read'),
    parameters: [
      {
        name: 'commandId',
        in: 'path',
        required: true,
        description: 'From the `Location` or body of the response that accepted the command.',
        schema: ref('Id'),
        examples: {
          applied: { summary: 'An applied command', value: commandIdExample },
          rejected: {
            summary: 'A rejected command',
            value: '0197c2a4-5b1e-7c3d-9f20-6a1b2c3d4e60',
          },
          notFound: {
            summary: 'An unknown command',
            value: '0197c2a4-0000-7000-8000-000000000000',
          },
          invalidId: { summary: 'Not an id', value: 'not an id' },
        },
      },
      parameter('XRequestId'),
    ],
    responses: {
      '200': jsonResponse('The state.', ref('CommandState'), {
        applied: {
          summary: 'Applied',
          value: {
            commandId: commandIdExample,
            status: 'applied',
            versions: { funding: 2, payee: 2 },
          },
        },
        rejected: {
          summary: 'Rejected',
          value: {
            commandId: '0197c2a4-5b1e-7c3d-9f20-6a1b2c3d4e60',
            status: 'rejected',
            code: 'insufficient_funds',
          },
        },
      }),
      '400': problemResponse('Not an id', ['invalid_id'], {
        invalidId: {
          summary: 'Bad id',
          value: problemExample('invalid_id', `commandId must match ${idPattern.source}`),
        },
      }),
      '401': problemResponse('No key, or one that is not valid (keys on)', ['unauthorized']),
      '403': problemResponse('The key lacks `accounts:read`', ['forbidden']),
      '404': problemResponse("No such command (or not the tenant's)", ['not_found'], {
        notFound: {
          summary: 'Unknown',
          value: problemExample('not_found', 'no command 0197c2a4-0000-7000-8000-000000000000'),
        },
      }),
      '429': problemResponse('Too many requests from this client', ['rate_limited']),
    },
  };
}
