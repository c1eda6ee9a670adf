import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { idPattern } from '@ledger/schemas';
import {
  checkAnswer,
  fuzzAgent,
  fuzzRequestsFor,
  pathSegmentArb,
  readAnswer,
  sendRaw,
  statusTally,
  validIdArb,
  type FuzzAnswer,
  type FuzzRequest,
} from '../../runtime/test/httpFuzz.ts';
import type { ReadModels } from '../src/postgres/readModels.ts';
import { inMemoryReadModels, startTestApp, testOptions, type TestApp } from './appHarness.ts';
import { account } from './fixtures.ts';

/**
 * Thousands of generated requests (runtime/test/httpFuzz.ts: every route of both APIs, broken
 * path segments, query strings, headers and bodies) against the query API's one server (lean
 * routes, ops routes, express, WebSocket upgrades) over an in-memory read model. The query API
 * writes nothing, so "nothing written" here is: a refused request never reached the read model,
 * and no id off the pattern ever did. Fixed seeds: a failure replays with its shrunk request.
 */
const seed = 16;
const numRuns = 2_500;
const upgradeRuns = 1_000;
const ownRoutes = [
  '/v1/accounts/{id}',
  '/v1/accounts/{id}/balance',
  '/v1/accounts/{id}/transactions',
  '/v1/transfers/{id}',
  '/healthz',
  '/readyz',
];

void describe('query API under generated requests', () => {
  const store = inMemoryReadModels();
  const asked: string[] = [];
  const counted: ReadModels = {
    loadAccount: (accountId) => {
      asked.push(accountId);
      return store.readModels.loadAccount(accountId);
    },
    loadHistory: (accountId, beforeVersion, limit) => {
      asked.push(accountId);
      return store.readModels.loadHistory(accountId, beforeVersion, limit);
    },
    loadTransfer: (transferId) => {
      asked.push(transferId);
      return store.readModels.loadTransfer(transferId);
    },
    loadBalanceAtVersion: (accountId, version) => {
      asked.push(accountId);
      return store.readModels.loadBalanceAtVersion(accountId, version);
    },
    loadBalanceAtTime: (accountId, atMs) => {
      asked.push(accountId);
      return store.readModels.loadBalanceAtTime(accountId, atMs);
    },
    listAccounts: (query) => store.readModels.listAccounts(query),
  };
  let running: TestApp;
  const agent = fuzzAgent();

  before(async () => {
    store.accounts.set('alice', account('alice', 3, 1_050n));
    store.accounts.set('bob', account('bob', 1, -5n));
    store.history.set('alice', [
      {
        transferId: 't-ok',
        kind: 'posted',
        direction: 'credit',
        amount: 1_050n,
        balanceAfter: 1_050n,
        availableAfter: 1_050n,
        version: 3,
        counterpartyAccountId: 'bob',
        postedAt: '2026-01-15T09:31:00.000Z',
      },
    ]);
    store.transfers.set('t-ok', {
      transferId: 't-ok',
      status: 'posted',
      fromAccountId: 'bob',
      toAccountId: 'alice',
      amount: 1_050n,
      currency: 'USD',
      code: null,
      postedAt: '2026-01-15T09:31:00.000Z',
    });
    // Enough stream connections that closed ones never count against a later upgrade, and no
    // connect rate limit: a 429 would end most generated handshakes before ws checks them.
    running = await startTestApp(counted, {
      stream: { ...testOptions.stream, connectionsMax: 1_000 },
      rateLimit: { ...testOptions.rateLimit, streamConnects: 1_000_000 },
    });
  });
  after(async () => {
    agent.destroy();
    await running.close();
  });

  /** 504 is the one 5xx by design: `minVersion` not reached within `waitMs` (docs/contract.md). */
  const waitedTooLong = (fuzz: FuzzRequest) => (problem: { code: string }) =>
    problem.code === 'consistency_timeout' &&
    new URLSearchParams(fuzz.path.split('?')[1]).has('minVersion');

  function checkUntouched(fuzz: FuzzRequest, answer: FuzzAnswer, askedBefore: number) {
    const shown = `${fuzz.method} ${fuzz.path} → ${answer.status}`;
    for (const id of asked.slice(askedBefore))
      assert.match(id, idPattern, `read model asked: ${shown}`);
    // A 404 is an answer the read model gave; every other refusal comes before any read.
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 404) {
      assert.equal(asked.length, askedBefore, `refused after reading: ${shown}`);
    }
  }

  void it('given thousands of generated requests, when sent, then no 5xx but a timed-out minVersion, every refusal a listed problem, and no refused request reads', async (context) => {
    const statuses = statusTally();
    await fc.assert(
      fc.asyncProperty(fuzzRequestsFor(ownRoutes), async (fuzz) => {
        const askedBefore = asked.length;
        const answer = await sendRaw(running.baseUrl, agent, fuzz);
        statuses.add(answer.status);
        checkAnswer(fuzz, answer, waitedTooLong(fuzz));
        checkUntouched(fuzz, answer, askedBefore);
      }),
      { seed, numRuns, includeErrorInReport: true },
    );
    context.diagnostic(`${numRuns} requests, seed ${seed}, ${statuses.summary()}`);
    assert.ok(statuses.count(200) > 0, 'some generated reads find what they ask for');
  });

  /** The handshake's part, else one of the ways to spoil it. */
  const usually = <T>(valid: T, spoilt: fc.Arbitrary<T>): fc.Arbitrary<T> =>
    fc.oneof({ arbitrary: fc.constant(valid), weight: 4 }, { arbitrary: spoilt, weight: 1 });
  /** Generated WebSocket upgrades: a 101 or a problem document, never ws's own text answers. */
  const upgradeArb: fc.Arbitrary<FuzzRequest> = fc
    .record({
      method: usually('GET', fc.constantFrom('POST', 'PUT', 'HEAD')),
      path: usually(
        '/v1/stream',
        fc.oneof(
          fc.constantFrom('/v1/stream?x=1', '/v1/stream/', '/v1/%73tream', '/v1/stream%ZZ'),
          pathSegmentArb.map((segment) => `/v1/stream/${segment}`),
          pathSegmentArb.map((segment) => `/v1/accounts/${segment}`),
        ),
      ),
      upgrade: usually('websocket', fc.constantFrom('WebSocket', 'h2c', 'websocket, h2c', '')),
      key: usually(
        'dGhlIHNhbXBsZSBub25jZQ==',
        fc.oneof(validIdArb, fc.string({ unit: 'grapheme-ascii', maxLength: 30 })),
      ),
      version: usually('13', fc.constantFrom('8', '12', '', 'x')),
      protocol: usually<string | undefined>(
        undefined,
        fc.constantFrom('a', 'a,,b', ',', 'a b', ' '),
      ),
      authorization: usually<string | undefined>(
        undefined,
        fc.constantFrom('Bearer x', 'Basic x', ''),
      ),
    })
    .map(({ method, path, upgrade, key, version, protocol, authorization }) => ({
      method,
      path,
      headers: {
        connection: 'Upgrade',
        upgrade,
        'sec-websocket-key': key,
        'sec-websocket-version': version,
        ...(protocol === undefined ? {} : { 'sec-websocket-protocol': protocol }),
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: undefined,
    }));

  void it('given generated WebSocket upgrades, when sent, then a 101 or a listed problem document, and no refused one reads', async (context) => {
    const statuses = statusTally();
    await fc.assert(
      fc.asyncProperty(upgradeArb, async (fuzz) => {
        const askedBefore = asked.length;
        const answer = await sendUpgrade(running.baseUrl, fuzz);
        statuses.add(answer.status);
        if (answer.status !== 101) checkAnswer(fuzz, answer);
        // Without a usable Upgrade header it is a plain request (a read of /v1/accounts/x).
        if (answer.status === 101) assert.equal(asked.length, askedBefore, 'read at the upgrade');
        else checkUntouched(fuzz, answer, askedBefore);
      }),
      { seed, numRuns: upgradeRuns, includeErrorInReport: true },
    );
    context.diagnostic(`${upgradeRuns} upgrades, seed ${seed}, ${statuses.summary()}`);
    assert.ok(statuses.count(101) > 0, 'some generated upgrades are valid');
  });

  void it('given an id that does not percent-decode, when any route with an id is read, then 400 invalid_id and nothing read', async () => {
    const templates = [
      '/v1/accounts/{id}',
      '/v1/accounts/{id}/balance',
      '/v1/accounts/{id}/transactions',
      '/v1/transfers/{id}',
    ];
    for (const template of templates) {
      for (const id of ['%ZZ', '%', '%C0%AE%C0%AE', '%ED%A0%80x']) {
        const fuzz = {
          method: 'GET',
          path: template.replace('{id}', id),
          headers: {},
          body: undefined,
        };
        const askedBefore = asked.length;
        const answer = await sendRaw(running.baseUrl, agent, fuzz);
        assert.equal(checkAnswer(fuzz, answer)?.code, 'invalid_id', fuzz.path);
        assert.equal(asked.length, askedBefore, fuzz.path);
      }
    }
  });
});

/** One upgrade request on its own socket: a 101 is closed at once, anything else read whole. */
function sendUpgrade(baseUrl: string, fuzz: FuzzRequest): Promise<FuzzAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: hostname,
        port,
        method: fuzz.method,
        path: fuzz.path,
        headers: fuzz.headers,
        timeout: 10_000,
      },
      (incoming) => void readAnswer(incoming).then(resolve, reject),
    );
    outgoing.on('upgrade', (incoming, socket) => {
      socket.destroy();
      resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: '' });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer to the upgrade')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
