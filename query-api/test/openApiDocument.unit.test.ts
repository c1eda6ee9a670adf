/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- the document is read as the JSON it is served as */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCatalog } from '@ledger/runtime';
import { readOpenApiFile } from '@ledger/schemas/openApiFile';
import { idPattern, balancePattern } from '@ledger/schemas';
import { cursorLengthMax } from '../src/http/historyCursor.ts';
import { historyLimitMax, waitMsDefault, waitMsMax } from '../src/http/requestParsing.ts';
import { queryApiDocument } from '../src/openApiDocument.ts';
import { queryApiDocumentFile } from '../src/openApiWrite.ts';
import { streamPath } from '../src/streamUpgrade.ts';
import { inMemoryReadModels, startTestApp } from './appHarness.ts';
import {
  exampleCases,
  exampleProblems,
  operationsOf,
  redoclyLint,
} from '@ledger/testing/openApiSupport';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * The query API's OpenAPI document against the code it describes: the committed copy is what
 * the code builds, redocly lints it clean, every example validates (and pairs with a request),
 * every documented route exists and needs accounts:read, and the parameters carry the parsers'
 * bounds.
 */
void describe('query API OpenAPI document', () => {
  const document: Json = queryApiDocument();

  void it('given the committed query-api/openapi.json, then it is what the code builds (npm run openapi -w @ledger/query-api rewrites it)', () => {
    assert.deepEqual(readOpenApiFile(queryApiDocumentFile), JSON.parse(JSON.stringify(document)));
  });

  void it('given redocly.yaml, when redocly lints the document, then it is clean', () => {
    const { status, output } = redoclyLint('query-api/openapi.json');
    assert.equal(status, 0, output);
    assert.match(output, /Your API description is valid/, output);
    assert.doesNotMatch(output, /You have \d+ warnings?/, output);
  });

  void it('given every example, then each pairs with a request and validates against its schema', () => {
    assert.deepEqual(exampleProblems(document), []);
    for (const { operation } of operationsOf(document)) {
      assert.ok(
        exampleCases(document).some((example) => example.operationId === operation.operationId),
        `${String(operation.operationId)} has no example`,
      );
    }
  });

  void it('given the app, then every documented route is served (not a no-route 404) and needs accounts:read, and an undocumented one is not', async () => {
    const app = await startTestApp(inMemoryReadModels().readModels);
    try {
      for (const { method, path, operation } of operationsOf(document)) {
        if (path.startsWith('/v1/')) {
          const scopes = Object.values((operation.security as Json[])[0] ?? {}).flat();
          assert.deepEqual(scopes, ['accounts:read'], path);
        }
        if (path === streamPath) continue; // an upgrade: the contract test opens one
        const url = path.replace(/\{[^}]+\}/g, 'nobody');
        const response = await fetch(`${app.baseUrl}${url}`, { method: method.toUpperCase() });
        const text = await response.text();
        assert.doesNotMatch(text, /no route/, `${method} ${path}: ${response.status} ${text}`);
      }
      const unknown = await fetch(`${app.baseUrl}/v1/accounts/nobody/nothing`);
      assert.match(await unknown.text(), /no route/);
    } finally {
      await app.close();
    }
  });

  void it('given the parsers, then the schemas carry their patterns, bounds and error codes', () => {
    const schemas = document.components.schemas;
    assert.equal(schemas.Id.pattern, idPattern.source);
    assert.equal(schemas.Balance.pattern, balancePattern.source);
    assert.deepEqual(schemas.Problem.properties.code.enum, Object.keys(errorCatalog));
    assert.equal(schemas.HistoryPage.properties.nextCursor.maxLength, cursorLengthMax);
    const parameters = (path: string) =>
      Object.fromEntries(
        (document.paths[path].get.parameters as Json[])
          .filter((parameter) => parameter.name !== undefined)
          .map((parameter) => [parameter.name, parameter.schema]),
      );
    const history = parameters('/v1/accounts/{accountId}/transactions');
    assert.equal(history.limit.maximum, historyLimitMax);
    assert.equal(history.cursor.maxLength, cursorLengthMax);
    for (const path of ['/v1/accounts/{accountId}', '/v1/accounts/{accountId}/balance']) {
      assert.equal(parameters(path).waitMs.maximum, waitMsMax);
      assert.equal(parameters(path).waitMs.default, waitMsDefault);
    }
    for (const { path, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        const media = (response as Json).content?.['application/problem+json'];
        if (media === undefined) continue;
        const codes: string[] = media.schema.properties?.code?.enum ?? [
          media.schema.properties.code.const,
        ];
        for (const code of codes) {
          const catalogued = errorCatalog[code as keyof typeof errorCatalog].status;
          assert.equal(catalogued, Number(status), `${path} ${status} ${code}`);
        }
      }
    }
  });
});
