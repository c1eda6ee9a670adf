import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  checkAnswer,
  fuzzAgent,
  fuzzRequestsFor,
  sendRaw,
  statusTally,
} from '../../runtime/test/httpFuzz.ts';
import { startTestApp, type TestApp } from './fakes.ts';

/**
 * Thousands of generated requests (runtime/test/httpFuzz.ts: every route of both APIs, broken
 * path segments, query strings, headers and bodies) against the command API over its in-memory
 * fakes. Fixed seed: a failure replays; fast-check prints the shrunk request.
 */
const seed = 16;
const numRuns = 2_500;
const ownRoutes = [
  '/v1/transfers',
  '/v1/transfers/batch',
  '/v1/accounts',
  '/v1/commands/{id}',
  '/healthz',
  '/readyz',
];

void describe('command API under generated requests', () => {
  let app: TestApp;
  const agent = fuzzAgent();
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    agent.destroy();
    await app.close();
  });

  void it('given thousands of generated requests, when sent, then no 5xx, every refusal a listed problem, and nothing published or claimed for a refusal', async (context) => {
    const statuses = statusTally();
    await fc.assert(
      fc.asyncProperty(fuzzRequestsFor(ownRoutes), async (fuzz) => {
        const published = app.publisher.published.length;
        const claimed = app.idempotency.keys.size;
        const answer = await sendRaw(app.baseUrl, agent, fuzz);
        statuses.add(answer.status);
        const problem = checkAnswer(fuzz, answer);
        if (answer.status >= 400) {
          const shown = `${fuzz.method} ${fuzz.path} → ${answer.status} ${problem?.code ?? ''}`;
          assert.equal(app.publisher.published.length, published, `published: ${shown}`);
          assert.equal(app.idempotency.keys.size, claimed, `claimed a key: ${shown}`);
        }
      }),
      { seed, numRuns, includeErrorInReport: true },
    );
    context.diagnostic(`${numRuns} requests, seed ${seed}, ${statuses.summary()}`);
    assert.ok(statuses.count(202) > 0, 'some generated commands are valid and accepted');
  });

  /** The ids of issue #16 that answered 500 (express's URIError) before the shared decoder. */
  const undecodable = ['%ZZ', '%', '%C0%AE%C0%AE', '%ED%A0%80x'];
  const send = (method: string, path: string, headers = {}, body?: Buffer) =>
    sendRaw(app.baseUrl, agent, { method, path, headers, body });

  void it('given an id that does not percent-decode, when its command is read, then 400 invalid_id', async () => {
    for (const id of undecodable) {
      const fuzz = { method: 'GET', path: `/v1/commands/${id}`, headers: {}, body: undefined };
      const answer = await send(fuzz.method, fuzz.path);
      assert.equal(checkAnswer(fuzz, answer)?.code, 'invalid_id', fuzz.path);
    }
  });

  void it('given an undecodable segment on a path no route takes, when sent, then 404, not a decoding error', async () => {
    for (const path of ['/v1/transfers/%ZZ', '/v1/accounts/%ZZ/balance', '/v1/%ZZ']) {
      for (const method of ['GET', 'POST']) {
        const answer = await send(method, path, { 'content-type': 'application/json' });
        assert.equal(answer.status, 404, `${method} ${path}`);
      }
    }
  });

  void it('given a body that does not inflate as its Content-Encoding says, when posted, then 400 invalid_request and nothing published', async () => {
    const published = app.publisher.published.length;
    for (const encoding of ['gzip', 'deflate']) {
      const headers = { 'content-type': 'application/json', 'content-encoding': encoding };
      const body = Buffer.from('{"currency":"USD"}');
      const fuzz = { method: 'POST', path: '/v1/accounts', headers, body };
      const answer = await send(fuzz.method, fuzz.path, headers, body);
      assert.equal(checkAnswer(fuzz, answer)?.code, 'invalid_request', encoding);
    }
    assert.equal(app.publisher.published.length, published);
  });
});
