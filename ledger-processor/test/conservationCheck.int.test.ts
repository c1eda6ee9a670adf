import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLedgerTestEnvironment, type LedgerTestEnvironment } from '@ledger/testing';
import { Registry } from 'prom-client';
import {
  conservationCheckIntervalMs,
  registerConservationGauge,
} from '../src/conservationCheck.ts';

describe('conservation gauge against the real Postgres', () => {
  let env: LedgerTestEnvironment;

  before(async () => {
    env = await createLedgerTestEnvironment('conservation');
  });

  after(async () => {
    await env?.teardown();
  });

  beforeEach(async () => {
    await env.pool.query('delete from accounts');
  });

  async function addAccount(id: string, currency: string, balance: string) {
    await env.pool.query(
      `insert into accounts (id, currency, overdraft_limit, balance, created_at,
                             opened_by_command_id, open_request_hash)
       values ($1, $2, 1000000, $3::numeric, now(), $1, $1)`,
      [id, currency, balance],
    );
  }

  function gauge(clock: { ms: number }) {
    const registry = new Registry();
    registerConservationGauge(registry, {
      pool: env.pool,
      logger: env.logger,
      now: () => clock.ms,
    });
    return async () => {
      const [metric] = (await registry.getMetricsAsJSON()) as { values: { value: number }[] }[];
      return metric?.values[0]?.value;
    };
  }

  it('given balances that sum to zero per currency, when scraped, then no currency fails', async () => {
    await addAccount('a', 'USD', '-250');
    await addAccount('b', 'USD', '250');
    await addAccount('c', 'EUR', '0');

    const failures = await gauge({ ms: 0 })();

    assert.equal(failures, 0);
  });

  it('given money created out of nothing in one currency, when scraped, then that currency fails', async () => {
    await addAccount('a', 'USD', '-250');
    await addAccount('b', 'USD', '250');
    await addAccount('c', 'EUR', '7');

    const failures = await gauge({ ms: 0 })();

    assert.equal(failures, 1);
  });

  it('given a check a moment ago, when scraped again, then the accounts are not read again until the interval passed', async () => {
    const clock = { ms: 0 };
    const read = gauge(clock);
    assert.equal(await read(), 0);

    await addAccount('c', 'EUR', '7');
    clock.ms = conservationCheckIntervalMs - 1;
    const beforeInterval = await read();
    clock.ms = conservationCheckIntervalMs;
    const afterInterval = await read();

    assert.equal(beforeInterval, 0);
    assert.equal(afterInterval, 1);
  });
});
