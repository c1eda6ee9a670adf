import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bodyBytesMax } from '../src/http/jsonBody.ts';
import { isValidTraceparent } from '../src/http/traceContext.ts';
import { startTestApp, type TestApp } from './fakes.ts';
import { request } from '@ledger/testing/httpClient';

const transfer = (overrides: Record<string, unknown> = {}) => ({
  transferId: 't-1',
  fromAccountId: 'alice-account',
  toAccountId: 'bob-account',
  amount: '1000',
  currency: 'USD',
  ...overrides,
});

void describe('HTTP conventions', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  void it('given a transfer, when posted, then 202 with Location, a request id and the command on Kafka', async () => {
    const response = await request(app.baseUrl, 'POST', '/v1/transfers', { body: transfer() });
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, {
      commandId: response.body.commandId,
      status: 'accepted',
      transferId: 't-1',
    });
    assert.equal(
      response.headers.get('location'),
      `/v1/commands/${String(response.body.commandId)}`,
    );
    assert.ok(response.headers.get('x-request-id'));
    assert.equal(response.headers.get('etag'), null);
    assert.equal(response.headers.get('x-powered-by'), null);
    const [published] = app.publisher.published;
    assert.ok(published);
    assert.equal(published.key, 'alice-account');
    assert.equal(published.requestId, response.headers.get('x-request-id'));
    assert.ok(isValidTraceparent(published.traceparent ?? ''));
    assert.equal(published.command.commandId, response.body.commandId);
  });

  void it('given X-Request-Id and traceparent, when posted, then the id is echoed and the trace continues', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await request(app.baseUrl, 'POST', '/v1/transfers', {
      body: transfer({ transferId: 't-trace' }),
      headers: { 'x-request-id': 'req-42', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('x-request-id'), 'req-42');
    const published = app.publisher.published.at(-1);
    assert.match(published?.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.notEqual(
      published?.traceparent?.split('-')[2],
      '00f067aa0ba902b7',
      'a new parent id per hop',
    );
  });

  void it('given an insane X-Request-Id, when posted, then a fresh one is generated', async () => {
    const response = await request(app.baseUrl, 'GET', '/healthz', {
      headers: { 'x-request-id': 'x'.repeat(200) },
    });
    assert.notEqual(response.headers.get('x-request-id'), 'x'.repeat(200));
  });

  const refused: ReadonlyArray<[string, Parameters<typeof request>[3], number, string]> = [
    [
      'a text/plain body',
      { rawBody: JSON.stringify(transfer()), headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'no content type',
      { rawBody: JSON.stringify(transfer()), headers: {} },
      415,
      'unsupported_media_type',
    ],
    [
      'a latin1 charset',
      {
        rawBody: JSON.stringify(transfer()),
        headers: { 'content-type': 'application/json; charset=latin1' },
      },
      415,
      'unsupported_media_type',
    ],
    [
      'malformed JSON',
      { rawBody: '{"amount": ', headers: { 'content-type': 'application/json' } },
      400,
      'invalid_request',
    ],
    [
      'a JSON string body',
      { rawBody: '"transfer"', headers: { 'content-type': 'application/json' } },
      400,
      'invalid_request',
    ],
    [
      'a body over 64 KiB',
      { body: transfer({ metadata: { note: 'x'.repeat(bodyBytesMax) } }) },
      413,
      'payload_too_large',
    ],
    ['an unknown field', { body: transfer({ memo: 'x' }) }, 400, 'invalid_request'],
    ['a numeric amount', { body: transfer({ amount: 1000 }) }, 400, 'invalid_amount'],
    ['a zero amount', { body: transfer({ amount: '0' }) }, 400, 'invalid_amount'],
    ['a negative amount', { body: transfer({ amount: '-5' }) }, 400, 'invalid_amount'],
    ['a fractional amount', { body: transfer({ amount: '10.5' }) }, 400, 'invalid_amount'],
    ['an exponent amount', { body: transfer({ amount: '1e3' }) }, 400, 'invalid_amount'],
    [
      'an amount over the maximum',
      { body: transfer({ amount: '9223372036854775808' }) },
      400,
      'invalid_amount',
    ],
    ['a bad id', { body: transfer({ fromAccountId: 'a b' }) }, 400, 'invalid_id'],
    [
      'a bad Idempotency-Key',
      { body: transfer(), headers: { 'idempotency-key': '-' } },
      400,
      'invalid_id',
    ],
    [
      'the same account twice',
      { body: transfer({ toAccountId: 'alice-account' }) },
      400,
      'same_account',
    ],
    ['an unknown currency', { body: transfer({ currency: 'ABC' }) }, 400, 'invalid_request'],
  ];
  for (const [name, options, status, code] of refused) {
    void it(`given ${name}, when posted, then ${status} ${code} as problem+json and nothing is published`, async () => {
      const before = app.publisher.published.length;
      const response = await request(app.baseUrl, 'POST', '/v1/transfers', options);
      assert.equal(response.status, status, response.text);
      assert.equal(response.body.code, code);
      assert.equal(response.body.status, status);
      assert.equal(response.body.type, `urn:ledger:problem:${code}`);
      assert.equal(typeof response.body.title, 'string');
      assert.equal(typeof response.body.detail, 'string');
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(response.headers.get('x-request-id'));
      assert.equal(app.publisher.published.length, before);
    });
  }

  void it('given an unknown route, when called, then 404 not_found', async () => {
    const response = await request(app.baseUrl, 'GET', '/v1/nothing');
    assert.equal(response.status, 404);
    assert.equal(response.body.code, 'not_found');
  });

  void it('given the ops routes, when called, then health, readiness and metrics answer', async () => {
    assert.equal((await request(app.baseUrl, 'GET', '/healthz')).status, 200);
    assert.equal((await request(app.baseUrl, 'GET', '/readyz')).status, 200);
    const metrics = await request(app.baseUrl, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /command_api_commands_total\{type="Transfer",result="accepted"\}/);
    assert.match(
      metrics.text,
      /command_api_http_request_duration_seconds_count\{method="POST",route="\/v1\/transfers",status="202"\}/,
    );
  });

  void it('given debug logging, when transfers are accepted, then account ids are masked and amounts hashed', () => {
    const lines = app.logLines.join('\n');
    assert.match(lines, /command accepted/);
    assert.match(lines, /"requestId":"req-42"/);
    assert.doesNotMatch(lines, /alice-account|bob-account/);
    assert.doesNotMatch(lines, /"1000"|:1000\b/);
  });
});
