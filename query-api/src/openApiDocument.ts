import {
  openApiVersion,
  opsPaths,
  sharedComponents,
  type JsonObject,
} from '@ledger/schemas/openApiParts';
import { requestIdLengthMax } from './http/httpSupport.ts';
import { queryLengthMax, waitMsDefault, waitMsMax } from './http/requestParsing.ts';
import { accountListOperation, accountOperation } from './openApi/accountOperations.ts';
import { balanceOperation } from './openApi/balanceOperation.ts';
import { historyOperation } from './openApi/historyOperation.ts';
import { querySchemas } from './openApi/querySchemas.ts';
import { streamOperation } from './openApi/streamOperation.ts';
import { transferOperation } from './openApi/transferOperation.ts';
import { streamPath } from './streamUpgrade.ts';

/**
 * The query API's OpenAPI 3.1 document, built from the constants its parsers use (query
 * parameters and their bounds, cursor, ids, error codes, the scope), served at `GET /openapi.json`
 * and written to query-api/openapi.json by `npm run openapi -w @ledger/query-api`. Examples are
 * replayed against the running API by e2e/test/openApiContract.int.test.ts: an example named N of a
 * response pairs with the parameter examples named N. This file assembles it; the operations,
 * schemas and shared parts are in openApi/.
 */
export function queryApiDocument(): JsonObject {
  const shared = sharedComponents(requestIdLengthMax);
  return {
    openapi: openApiVersion,
    info: {
      title: 'Ledger query API',
      version: '1.0.0',
      summary:
        'Balances, history and transfer status, from an in-process cache kept fresh by Kafka.',
      description: [
        'Balances are served from an LRU cache kept fresh by the compacted balances changelog; history and transfers from the read models in Postgres.',
        `Read-your-writes: \`minVersion=n\` waits (up to \`waitMs\`, default ${waitMsDefault}, at most ${waitMsMax}) until the served version is at least n, else \`504 consistency_timeout\`.`,
        `Query parameters are strict: an unknown or repeated one is \`400 invalid_request\`, as is a query string over ${queryLengthMax} bytes. Ids in paths are percent-decoded once as UTF-8 and must match the id pattern (\`400 invalid_id\`).`,
        'Every response carries `X-Request-Id`. Errors are RFC 9457 problem documents (`application/problem+json`) with a `code`.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://127.0.0.1:8081', description: 'local (`LEDGER_QUERY_API_PORT`)' }],
    tags: [
      { name: 'Accounts', description: 'Accounts, balances and their history.' },
      { name: 'Transfers', description: 'Decided transfers.' },
      { name: 'Stream', description: 'Balance changes pushed over a WebSocket.' },
      { name: 'Operations', description: 'Health, readiness, metrics and this document.' },
    ],
    paths: {
      '/v1/accounts': { get: accountListOperation() },
      '/v1/accounts/{accountId}': { get: accountOperation() },
      '/v1/accounts/{accountId}/balance': { get: balanceOperation() },
      '/v1/accounts/{accountId}/transactions': { get: historyOperation() },
      '/v1/transfers/{transferId}': { get: transferOperation() },
      [streamPath]: { get: streamOperation() },
      ...opsPaths(),
    },
    components: {
      ...shared,
      // Versions and balances by account are the command API's answers.
      schemas: {
        ...Object.fromEntries(
          Object.entries(shared.schemas as JsonObject).filter(
            ([name]) => name !== 'VersionsByAccount' && name !== 'BalancesByAccount',
          ),
        ),
        ...querySchemas(),
      },
    },
  };
}
