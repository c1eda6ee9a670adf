import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import type { JsonObject } from '@ledger/schemas/openApiParts';
import { commandApiDocument } from '@ledger/command-api/openApiDocument';
import { queryApiDocument } from '@ledger/query-api/openApiDocument';
import {
  createKey,
  openStream,
  startServices,
  type LedgerServices,
} from './authorizationSupport.ts';
import { documentValidator, exampleCases, type ExampleCase } from '@ledger/testing/openApiSupport';

/**
 * The contract test of both OpenAPI documents: every example in them is replayed against the
 * real command and query APIs (production wiring, in-process, with the real processor and
 * projector, against this test's own topics, schema and Redis prefix, API keys on), and each
 * answer must have the documented status and content type, carry the headers the document says
 * it always carries, and validate against the documented schema (ajv, JSON Schema 2020-12).
 * The examples that need state get it here first: the accounts and transfers below.
 */
void describe('OpenAPI contract: every example replayed against the running APIs', () => {
  let env: LedgerTestEnvironment;
  let services: LedgerServices;
  let keyDir: string;
  const keys: Record<'full' | 'reader' | 'tenant', string> = { full: '', reader: '', tenant: '' };
  const commandIds = { applied: '', rejected: '' };

  /** What an example needs beyond the document: another key, a real id, an undocumented parameter. */
  type Setup = { key?: keyof typeof keys | 'none'; path?: Record<string, string>; query?: string };
  const setups: Record<string, () => Setup> = {
    'openAccount/unauthorized': () => ({ key: 'none' }),
    'createTransfer/unauthorized': () => ({ key: 'none' }),
    'createTransferBatch/unauthorized': () => ({ key: 'none' }),
    'streamBalances/unauthorized': () => ({ key: 'none' }),
    'openAccount/forbidden': () => ({ key: 'reader' }),
    'createTransfer/forbidden': () => ({ key: 'reader' }),
    'reverseTransfer/unauthorized': () => ({ key: 'none' }),
    'reverseTransfer/forbidden': () => ({ key: 'reader' }),
    'postPendingTransfer/unauthorized': () => ({ key: 'none' }),
    'postPendingTransfer/forbidden': () => ({ key: 'reader' }),
    'voidPendingTransfer/unauthorized': () => ({ key: 'none' }),
    'voidPendingTransfer/forbidden': () => ({ key: 'reader' }),
    ...Object.fromEntries(
      ['freezeAccount', 'unfreezeAccount', 'closeAccount', 'updateAccountMetadata'].flatMap(
        (operation) => [
          [`${operation}/unauthorized`, (): Setup => ({ key: 'none' })],
          [`${operation}/forbidden`, (): Setup => ({ key: 'reader' })],
        ],
      ),
    ),
    'getAccount/forbidden': () => ({ key: 'tenant' }),
    'listAccounts/tenant': () => ({ key: 'tenant' }),
    'getCommand/applied': () => ({ path: { commandId: commandIds.applied } }),
    'getCommand/rejected': () => ({ path: { commandId: commandIds.rejected } }),
    'getBalance/unknownParameter': () => ({ query: 'minversion=3' }),
  };

  const wait = { prefer: 'wait=10' };
  async function command(path: string, body: unknown): Promise<JsonObject> {
    const answer = await send(services.urls.cmd, 'POST', path, { ...wait, ...auth('full') }, body);
    assert.ok(answer.status === 201 || answer.status === 422, `${path}: ${answer.text}`);
    return JSON.parse(answer.text) as JsonObject;
  }
  const auth = (key: keyof typeof keys | 'none'): Record<string, string> =>
    key === 'none' ? {} : { authorization: `Bearer ${keys[key]}` };

  before(async () => {
    env = await createLedgerTestEnvironment('openapi_contract');
    keyDir = mkdtempSync(join(tmpdir(), 'ledger-openapi-it-'));
    const keyFile = join(keyDir, 'api-keys.json');
    keys.full = createKey(keyFile, [
      'accounts:read',
      'accounts:write',
      'transfers:write',
      'ops:read',
    ]).key;
    keys.reader = createKey(keyFile, ['accounts:read']).key;
    keys.tenant = createKey(keyFile, ['accounts:read'], 'acme-').key;
    services = await startServices(env, { LEDGER_API_KEYS_FILE: keyFile });

    // The state the examples read: alice at version 3 (opened, funded 5000, paid bob 1200),
    // a rejected transfer, and payer/payee for the command examples.
    await command('/v1/accounts', {
      accountId: 'funding',
      currency: 'USD',
      overdraftLimit: '1000000000',
    });
    await command('/v1/accounts', {
      accountId: 'alice',
      currency: 'USD',
      metadata: { name: 'Alice' },
    });
    for (const accountId of ['bob', 'payer', 'payee']) {
      await command('/v1/accounts', { accountId, currency: 'USD' });
    }
    const transfer = (
      transferId: string,
      fromAccountId: string,
      toAccountId: string,
      amount: string,
    ) =>
      command('/v1/transfers', { transferId, fromAccountId, toAccountId, amount, currency: 'USD' });
    await transfer('t-fund-alice', 'funding', 'alice', '5000');
    await transfer('t-rent', 'alice', 'bob', '1200');
    commandIds.rejected = String(
      (await transfer('t-too-much', 'alice', 'bob', '999999')).commandId,
    );
    commandIds.applied = String((await transfer('t-0999', 'funding', 'payee', '100')).commandId);
    // Pending transfers the post and void examples settle; h-open stays pending for the reads.
    for (const [transferId, amount] of [
      ['h-post', '250'],
      ['h-accept', '100'],
      ['h-void', '80'],
      ['h-open', '300'],
    ] as const) {
      await command('/v1/transfers', {
        transferId,
        fromAccountId: 'funding',
        toAccountId: 'payee',
        amount,
        currency: 'USD',
        pending: true,
        ...(transferId === 'h-open' ? { timeoutSeconds: 86_400 } : {}),
      });
    }
    // The accounts the lifecycle examples change (command-api accountChangeExamples.ts): open
    // ones, frozen ones (revision 2) and a closed one.
    const lifecycle = ['frost', 'frost-2', 'empty', 'empty-2', 'tagged', 'icy', 'thaw', 'thaw-2'];
    for (const accountId of [...lifecycle, 'gone']) {
      await command('/v1/accounts', { accountId, currency: 'USD' });
    }
    for (const accountId of ['icy', 'thaw', 'thaw-2']) {
      await command(`/v1/accounts/${accountId}/freeze`, {});
    }
    await command('/v1/accounts/gone/close', {});
    // The projector's read models have them once the transfer views are there.
    await waitUntil(async () => {
      const answers = await Promise.all(
        ['t-rent', 't-too-much', 'h-open'].map((id) =>
          send(services.urls.query, 'GET', `/v1/transfers/${id}`, auth('full')),
        ),
      );
      return answers.every((answer) => answer.status === 200);
    }, 'the projector wrote the transfers');
  });

  after(async () => {
    await services?.stop();
    await env?.teardown();
    if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  });

  async function replay(document: JsonObject, baseUrl: () => string): Promise<number> {
    const validator = documentValidator(document);
    const cases = exampleCases(document);
    const failures: string[] = [];
    for (const example of cases) {
      const where = `${example.operationId}/${example.name}`;
      const setup = setups[where]?.() ?? {};
      const answer = await send(
        baseUrl(),
        example.method.toUpperCase(),
        urlOf(example, setup),
        {
          ...auth(setup.key ?? 'full'),
          ...headersOf(example),
        },
        example.body?.value,
      );
      const problems = checkAnswer(example, answer, validator);
      if (problems.length > 0)
        failures.push(
          `${where}: ${problems.join('; ')} (${answer.status} ${answer.text.slice(0, 300)})`,
        );
    }
    assert.deepEqual(failures, []);
    return cases.length;
  }

  void it('given the query API document, when every example is replayed, then each answer is the documented one', async () => {
    const replayed = await replay(queryApiDocument(), () => services.urls.query);
    assert.ok(replayed > 20, `${replayed} examples`);
  });

  void it('given the stream schemas, when their client examples are sent over /v1/stream, then every frame validates against StreamServerMessage', async () => {
    const json = queryApiDocument();
    const validator = documentValidator(json);
    const document = json as { components: { schemas: Record<string, { examples: unknown[] }> } };
    const client = await openStream(services.queryApi.port, keys.full);
    if (typeof client === 'number') assert.fail(`upgrade refused with ${client}`);
    try {
      for (const message of document.components.schemas.StreamClientMessage?.examples ?? []) {
        assert.equal(
          validator.validate('#/components/schemas/StreamClientMessage', message),
          undefined,
        );
        client.send(message);
      }
      await client.waitFor('subscribed', (frame) => frame.type === 'subscribed');
      await client.waitFor(
        'alice at version 3',
        (frame) => frame.type === 'balance' && frame.accountId === 'alice' && frame.version === 3,
      );
      await client.waitFor('unsubscribed', (frame) => frame.type === 'unsubscribed');
      for (const frame of client.frames) {
        assert.equal(
          validator.validate('#/components/schemas/StreamServerMessage', frame),
          undefined,
          JSON.stringify(frame),
        );
      }
    } finally {
      await client.close();
    }
  });

  void it('given the command API document, when every example is replayed, then each answer is the documented one', async () => {
    const replayed = await replay(commandApiDocument(), () => services.urls.cmd);
    assert.ok(replayed > 20, `${replayed} examples`);
  });

  void it('given both APIs, when /openapi.json is asked for without a key, then each serves its document', async () => {
    for (const [baseUrl, document] of [
      [services.urls.cmd, commandApiDocument()],
      [services.urls.query, queryApiDocument()],
    ] as const) {
      const answer = await send(baseUrl, 'GET', '/openapi.json', {});
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(JSON.parse(answer.text), JSON.parse(JSON.stringify(document)));
    }
  });
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** One request over node:http (fetch refuses the WebSocket handshake's headers). */
function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    // A 101 would come here; the examples replayed over HTTP are the handshake's refusals.
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers, text: '' });
    });
    request.on('error', reject);
    request.end(payload);
  });
}

function urlOf(
  example: ExampleCase,
  setup: { path?: Record<string, string>; query?: string },
): string {
  let path = example.path;
  for (const parameter of example.parameters.filter((p) => p.in === 'path')) {
    const value = setup.path?.[parameter.name] ?? String(parameter.value);
    path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
  }
  const query = new URLSearchParams(
    example.parameters
      .filter((p) => p.in === 'query')
      .map((p): [string, string] => [p.name, String(p.value)]),
  ).toString();
  const extra = setup.query ?? '';
  const joined = [query, extra].filter((part) => part !== '').join('&');
  return joined === '' ? path : `${path}?${joined}`;
}

function headersOf(example: ExampleCase): Record<string, string> {
  return Object.fromEntries(
    example.parameters.filter((p) => p.in === 'header').map((p) => [p.name, String(p.value)]),
  );
}

/** Status, content type, the headers the document says are always there, and the body's schema. */
function checkAnswer(
  example: ExampleCase,
  answer: Answer,
  validator: ReturnType<typeof documentValidator>,
): string[] {
  const problems: string[] = [];
  if (answer.status !== example.status)
    problems.push(`status ${answer.status}, documented ${example.status}`);
  const contentType = answer.headers['content-type'] ?? '';
  if (!contentType.startsWith(example.mediaType)) {
    problems.push(`content type ${contentType}, documented ${example.mediaType}`);
  }
  for (const name of example.requiredHeaders) {
    if (answer.headers[name.toLowerCase()] === undefined) problems.push(`no ${name}`);
  }
  if (
    (answer.status === 429 || answer.status === 503) &&
    answer.headers['retry-after'] === undefined
  ) {
    problems.push('no Retry-After');
  }
  if (answer.status === 401 && answer.headers['www-authenticate'] === undefined) {
    problems.push('no WWW-Authenticate');
  }
  let body: unknown = answer.text;
  if (example.mediaType.endsWith('json')) {
    try {
      body = JSON.parse(answer.text);
    } catch {
      problems.push('the body is not JSON');
    }
  }
  const error = validator.validate(example.responseSchemaPointer, body);
  if (error !== undefined) problems.push(`the body does not match its schema: ${error}`);
  return problems;
}
