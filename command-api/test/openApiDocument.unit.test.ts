/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- the document is read as the JSON it is served as */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import { apiScopes, createApiKeys, createLogger, errorCatalog } from '@ledger/runtime';
import { readOpenApiFile } from '@ledger/schemas/openApiFile';
import { idPattern, amountPattern, overdraftLimitPattern, metadataKeysMax } from '@ledger/schemas';
import { Registry } from 'prom-client';
import { createApp } from '../src/app.ts';
import { scopeFor } from '../src/http/authMiddleware.ts';
import { batchBodyBytesMax, bodyBytesMax } from '../src/http/jsonBody.ts';
import { commandApiDocument } from '../src/openApiDocument.ts';
import { commandApiDocumentFile } from '../src/openApiWrite.ts';
import { batchItemsMax } from '../src/validation/batchValidator.ts';
import { activeCurrencyCodes } from '../src/validation/currencyCodes.ts';
import {
  exampleCases,
  exampleProblems,
  operationsOf,
  redoclyLint,
} from '@ledger/testing/openApiSupport';
import {
  FakeIdempotency,
  FakeLagGauge,
  FakeOutcomes,
  FakeTransfers,
  FakePublisher,
  FakeRateLimiter,
} from './fakes.ts';
import { sequentialIds } from './testSupport.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * The command API's OpenAPI document against the code it describes: the committed copy is what
 * the code builds, redocly lints it clean, every example validates (and pairs with a request),
 * and the routes, scopes, limits, patterns and codes are the app's own.
 */
void describe('command API OpenAPI document', () => {
  const document: Json = commandApiDocument();

  void it('given the committed command-api/openapi.json, then it is what the code builds (npm run openapi -w @ledger/command-api rewrites it)', () => {
    assert.deepEqual(readOpenApiFile(commandApiDocumentFile), JSON.parse(JSON.stringify(document)));
  });

  void it('given redocly.yaml, when redocly lints the document, then it is clean', () => {
    const { status, output } = redoclyLint('command-api/openapi.json');
    assert.equal(status, 0, output);
    assert.match(output, /Your API description is valid/, output);
    assert.doesNotMatch(output, /You have \d+ warnings?/, output);
  });

  void it('given every example, then each pairs with a request and validates against its schema', () => {
    assert.deepEqual(exampleProblems(document), []);
    const operations = operationsOf(document);
    for (const { operation } of operations) {
      assert.ok(
        exampleCases(document).some((example) => example.operationId === operation.operationId),
        `${String(operation.operationId)} has no example`,
      );
    }
  });

  void it('given the app, then its routes are the documented ones and each names the scope scopeFor requires', () => {
    const app = createApp({
      publisher: new FakePublisher(),
      idempotency: new FakeIdempotency(),
      outcomes: new FakeOutcomes(new FakeIdempotency().outcomes),
      transfers: new FakeTransfers(),
      rateLimiter: new FakeRateLimiter(),
      apiKeys: createApiKeys({}),
      lagGauge: new FakeLagGauge(),
      registry: new Registry(),
      logger: createLogger({ level: 'error', write: () => undefined }),
      clock: { now: () => 0 },
      ids: sequentialIds('id'),
      readiness: [],
      options: { consumerLagMax: 1, overloadedRetryAfterSeconds: 1, trustProxy: false },
    });
    const documented = operationsOf(document)
      .filter(({ path }) => path.startsWith('/v1/'))
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .sort();
    assert.deepEqual(routesOf(app), documented);
    for (const { method, path, operation } of operationsOf(document)) {
      const security = (operation.security as Json[])[0];
      const scope =
        security === undefined ? undefined : (Object.values(security)[0] as string[])[0];
      if (path.startsWith('/v1/')) {
        assert.equal(scope, scopeFor(method.toUpperCase(), path.slice('/v1'.length)), path);
      } else {
        assert.equal(scope, path === '/metrics' ? 'ops:read' : undefined, path);
      }
    }
    const described: string = document.components.securitySchemes.apiKey.description;
    for (const scope of apiScopes) assert.ok(described.includes(`\`${scope}\``), scope);
  });

  void it('given the validators, then the schemas carry their patterns, limits, currencies and error codes', () => {
    const schemas = document.components.schemas;
    assert.equal(schemas.Id.pattern, idPattern.source);
    assert.equal(schemas.Amount.pattern, amountPattern.source);
    assert.equal(schemas.OverdraftLimit.pattern, overdraftLimitPattern.source);
    assert.equal(schemas.Metadata.maxProperties, metadataKeysMax);
    assert.deepEqual(new Set(schemas.CurrencyCode.enum), activeCurrencyCodes);
    assert.equal(schemas.TransferBatchRequest.properties.transfers.maxItems, batchItemsMax);
    assert.deepEqual(schemas.Problem.properties.code.enum, Object.keys(errorCatalog));
    assert.match(document.info.description, new RegExp(`${bodyBytesMax}.*${batchBodyBytesMax}`));
    // Every problem response names codes of its own status.
    for (const { path, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        const media = (response as Json).content?.['application/problem+json'];
        if (media === undefined) continue;
        const codes: string[] = media.schema.properties?.code?.enum ?? [
          media.schema.properties.code.const,
        ];
        for (const code of codes) {
          assert.equal(
            errorCatalog[code as keyof typeof errorCatalog].status,
            Number(status),
            `${path} ${status} ${code}`,
          );
        }
      }
    }
  });
});

/** `METHOD /v1/path/{param}` of every route the express app registered under /v1. */
function routesOf(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Json[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        for (const method of Object.keys(layer.route.methods as Json)) {
          routes.push(
            `${method.toUpperCase()} ${prefix}${String(layer.route.path).replace(/:(\w+)/g, '{$1}')}`,
          );
        }
      } else if (layer.name === 'router') {
        walk(layer.handle.stack as Json[], '/v1');
      }
    }
  };
  walk((app as unknown as Json)._router.stack as Json[], '');
  return routes.sort();
}
