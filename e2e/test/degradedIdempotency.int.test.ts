import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLedgerTestEnvironment, type LedgerTestEnvironment } from '@ledger/testing';
import { readProcessorConfig } from '@ledger/ledger-processor/config';
import { startLedgerProcessor, type RunningProcessor } from '@ledger/ledger-processor/wiring';
import { readCommandApiConfig } from '@ledger/command-api/config';
import { startCommandApi, type RunningCommandApi } from '@ledger/command-api/wiring';
import { request } from '@ledger/testing/httpClient';
import { conditionTimeoutMs, waitForMetric } from '@ledger/testing/metricWait';

// Replays while Redis is down, against the real processor: one command API instance with Redis
// (where originals are accepted) and one pointed at a closed port (Redis down for it), sharing
// the ledger. A replay must get the original commandId and `Idempotent-Replayed: true`, whether
// the original was decided before the replay or only after the replay was published.

const redisDown = 'redis://127.0.0.1:1';

describe('idempotency with Redis down: replays told from the ledger', () => {
  let env: LedgerTestEnvironment;
  let processor: RunningProcessor | undefined;
  let up: RunningCommandApi;
  let down: RunningCommandApi;

  const startProcessor = async () => {
    processor = await startLedgerProcessor(readProcessorConfig(env.env()), env.logger, {
      port: 0,
      onFatal: (error) => assert.fail(`processor fatal: ${String(error)}`),
    });
  };
  const stopProcessor = async () => {
    await processor?.stop();
    processor = undefined;
  };
  const post = (
    api: RunningCommandApi,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => request(`http://127.0.0.1:${api.port}`, 'POST', path, { body, headers });
  const transfer = (transferId: string, amount = '100') => ({
    transferId,
    fromAccountId: 'funding',
    toAccountId: 'alice',
    amount,
    currency: 'USD',
  });
  const wait = { prefer: 'wait=10' };

  before(async () => {
    env = await createLedgerTestEnvironment('degraded_idempotency');
    const host = { LEDGER_COMMAND_API_HOST: '127.0.0.1' };
    up = await startCommandApi(readCommandApiConfig(env.env(host)), env.logger, 0);
    down = await startCommandApi(
      readCommandApiConfig(
        env.env({
          ...host,
          LEDGER_REDIS_URL: redisDown,
          // Long enough to span a processor restart in the test; the default is a few seconds.
          LEDGER_COMMAND_API_LEDGER_CHECK_WAIT_MS: String(conditionTimeoutMs),
        }),
      ),
      env.logger,
      0,
    );
    await startProcessor();
    for (const [accountId, overdraftLimit] of [
      ['funding', '1000000'],
      ['alice', '0'],
    ]) {
      const opened = await post(
        up,
        '/v1/accounts',
        { accountId, currency: 'USD', overdraftLimit },
        wait,
      );
      assert.equal(opened.status, 201, opened.text);
    }
  });

  after(async () => {
    await up?.stop();
    await down?.stop();
    await processor?.stop();
    await env?.teardown();
  });

  it('given a decided command, when it is replayed while Redis is down, then the answer is the original with Idempotent-Replayed and nothing is published', async () => {
    const original = await post(up, '/v1/transfers', transfer('t-decided'), wait);
    assert.equal(original.status, 201, original.text);

    const replay = await post(down, '/v1/transfers', transfer('t-decided'));
    assert.equal(replay.status, 201, replay.text);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.commandId, original.body.commandId);
    assert.deepEqual(replay.body.balances, original.body.balances);

    const account = await post(down, '/v1/accounts', { accountId: 'alice', currency: 'USD' });
    assert.equal(account.status, 201, account.text);
    assert.equal(account.headers.get('idempotent-replayed'), 'true');
    assert.match(
      await down.registry.metrics(),
      /command_api_commands_total\{type="Transfer",result="replayed"[^}]*\} 1/,
    );
    const rows = await env.pool.query(
      `select 1 from command_outcomes where subject_id = 't-decided'`,
    );
    assert.equal(rows.rowCount, 1, 'the replay was never published');
  });

  it('given a command accepted but not yet decided, when it is replayed while Redis is down, then the ledger tells it a replay and the answer is the original with Idempotent-Replayed', async () => {
    await stopProcessor();
    const original = await post(up, '/v1/transfers', transfer('t-undecided'));
    assert.equal(original.status, 202, original.text);
    const conflicting = await post(up, '/v1/transfers', transfer('t-contested'));
    assert.equal(conflicting.status, 202, conflicting.text);

    const replay = post(down, '/v1/transfers', transfer('t-undecided'));
    const conflict = post(down, '/v1/transfers', transfer('t-contested', '101'));
    await waitForMetric(
      down.registry,
      /command_api_commands_total\{type="Transfer",result="accepted"[^}]*\} 2/,
    );
    const decided = await env.pool.query(
      `select 1 from command_outcomes where subject_id in ('t-undecided', 't-contested')`,
    );
    assert.equal(decided.rowCount, 0, 'published while the originals were still undecided');
    await startProcessor();

    const replayed = await replay;
    assert.equal(replayed.status, 201, replayed.text);
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
    assert.equal(replayed.body.commandId, original.body.commandId);
    assert.equal(replayed.body.transferId, 't-undecided');
    const refused = await conflict;
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'idempotency_conflict');

    const legs = await env.pool.query(`select 1 from postings where transfer_id = 't-undecided'`);
    assert.equal(legs.rowCount, 2, 'one effect: two legs, not four');
    const state = await request(
      `http://127.0.0.1:${down.port}`,
      'GET',
      `/v1/commands/${String(original.body.commandId)}`,
    );
    assert.equal(state.body.status, 'applied');
    const metrics = await down.registry.metrics();
    assert.match(
      metrics,
      /command_api_idempotency_ledger_checks_total\{result="replayed"[^}]*\} 1/,
    );
    assert.match(
      metrics,
      /command_api_idempotency_ledger_checks_total\{result="conflict"[^}]*\} 1/,
    );
  });

  it('given Redis is down throughout, when a new command and then its replay arrive, then the first is accepted under its own id and the replay answers it', async () => {
    const first = await post(down, '/v1/transfers', transfer('t-outage'));
    assert.equal(first.status, 202, first.text);
    assert.equal(first.headers.get('idempotent-replayed'), null);

    const replay = await post(down, '/v1/transfers', transfer('t-outage'));
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.commandId, first.body.commandId);
  });
});
