import {
  openApiVersion,
  opsPaths,
  sharedComponents,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { batchBodyBytesMax, bodyBytesMax } from './http/jsonBody.ts';
import { waitSecondsMax } from './http/preferWait.ts';
import { requestIdLengthMax } from './http/requestContext.ts';
import { accountChangeOperation } from './openApi/accountChangeOperation.ts';
import { openAccountOperation } from './openApi/accountOperation.ts';
import { batchOperation } from './openApi/batchOperation.ts';
import { commandOperation } from './openApi/commandOperation.ts';
import { commandHeaders, commandSchemas } from './openApi/commandSchemas.ts';
import { reversalOperation } from './openApi/reversalOperation.ts';
import { settlementOperation } from './openApi/settlementOperation.ts';
import { transferOperation } from './openApi/transferOperation.ts';
import {
  accountChangeActions,
  type AccountChangeAction,
} from './validation/accountChangeValidator.ts';

/**
 * The command API's OpenAPI 3.1 document, built from the constants its validators use (limits,
 * patterns, currency codes, error codes, scopes), served at `GET /openapi.json` and written to
 * command-api/openapi.json by `npm run openapi -w @ledger/command-api`. Examples are replayed
 * against the running API by e2e/test/openApiContract.int.test.ts: an example named N of a
 * response pairs with the request body example and the parameter examples named N. This file
 * assembles it; the operations, schemas and shared parts are in openApi/.
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
      {
        name: 'Accounts',
        description: 'Open accounts; freeze, unfreeze or close them; replace their metadata.',
      },
      {
        name: 'Transfers',
        description:
          'Move money, one transfer or a batch; hold it first (pending) and post or void it; reverse one.',
      },
      { name: 'Commands', description: 'What became of an accepted command.' },
      { name: 'Operations', description: 'Health, readiness, metrics and this document.' },
    ],
    paths: {
      '/v1/accounts': { post: openAccountOperation() },
      ...Object.fromEntries(
        (Object.keys(accountChangeActions) as AccountChangeAction[]).map((action) => [
          `/v1/accounts/{accountId}/${action}`,
          { post: accountChangeOperation(action) },
        ]),
      ),
      '/v1/transfers': { post: transferOperation() },
      '/v1/transfers/batch': { post: batchOperation() },
      '/v1/transfers/{transferId}/reverse': { post: reversalOperation() },
      '/v1/transfers/{transferId}/post': { post: settlementOperation('post') },
      '/v1/transfers/{transferId}/void': { post: settlementOperation('void') },
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
