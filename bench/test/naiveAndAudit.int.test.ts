import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dropSchema, migrateLatest } from '@ledger/infra';
import { createPostgresPool, readStackConfig } from '@ledger/runtime';
import type pg from 'pg';
import { auditSchema } from '../src/audit/ledgerAudit.ts';
import { seedNaiveAccounts } from '../src/baselines/naiveSchema.ts';
import { executeTransfer, type TransferRequest } from '../src/baselines/naiveTransfer.ts';
import { accountSet } from '../src/load/workload.ts';

// The naive baseline and the audit against a real Postgres, in a throwaway schema migrated with
// the ledger's own migrations (same tables, constraints and triggers as production).
const stack = readStackConfig();
const schema = `it_bench_${randomUUID().slice(0, 8)}`;
const set = accountSet(5);
let pool: pg.Pool;

const request = (
  transferId: string,
  from: number,
  to: number,
  amount: bigint,
): TransferRequest => ({
  transferId,
  idempotencyKey: transferId,
  fromAccountId: set.accountId(from),
  toAccountId: set.accountId(to),
  amount,
  currency: 'USD',
});

describe('naive baseline and the audit', () => {
  before(async () => {
    await migrateLatest({ connectionString: stack.postgresUrl, schema });
    pool = createPostgresPool({
      connectionString: stack.postgresUrl,
      schema,
      max: 4,
      applicationName: 'bench-it',
    });
    await seedNaiveAccounts(pool, set);
  });
  after(async () => {
    await pool.end();
    await dropSchema(stack.postgresUrl, schema);
  });

  it('given seeded accounts, when the audit runs, then every invariant holds', async () => {
    const audit = await auditSchema(pool, { schema, runPrefix: 'rit', hasOutbox: true });
    assert.deepEqual(
      audit.checks.filter((check) => !check.ok),
      [],
    );
  });

  it('given a transfer, when it is applied, then both versions rise by one and the body replays', async () => {
    const first = await executeTransfer(pool, request('rit-1', 0, 1, 250n));
    assert.equal(first.kind, 'applied');
    assert.ok(first.kind === 'applied' && !first.replayed);
    if (first.kind === 'applied') {
      assert.deepEqual(first.versions, { [set.accountId(0)]: 3, [set.accountId(1)]: 3 });
      assert.equal(first.balances[set.accountId(0)], String(1_000_000_000n - 250n));
    }
    const replay = await executeTransfer(pool, request('rit-1', 0, 1, 250n));
    assert.ok(replay.kind === 'applied' && replay.replayed);
    const conflict = await executeTransfer(pool, request('rit-1', 0, 1, 999n));
    assert.equal(conflict.kind, 'conflict');
  });

  it('given too little money, when a transfer overdraws, then it is rejected as data', async () => {
    const result = await executeTransfer(pool, request('rit-2', 2, 3, 2_000_000_000n));
    assert.deepEqual(result, { kind: 'rejected', replayed: false, code: 'insufficient_funds' });
    const unknown = await executeTransfer(pool, {
      ...request('rit-3', 2, 3, 1n),
      toAccountId: 'ghost',
    });
    assert.equal(unknown.kind === 'rejected' && unknown.code, 'account_not_found');
  });

  it('given concurrent transfers in both directions, then no deadlock and the ledger still balances', async () => {
    const transfers = Array.from({ length: 40 }, (_, index) =>
      executeTransfer(
        pool,
        request(`rit-c${index}`, index % 2, (index + 1) % 2, 1n + BigInt(index)),
      ),
    );
    const results = await Promise.all(transfers);
    assert.ok(results.every((result) => result.kind === 'applied'));
    const audit = await auditSchema(pool, { schema, runPrefix: 'rit', hasOutbox: true });
    assert.deepEqual(
      audit.checks.filter((check) => !check.ok),
      [],
    );
  });

  it('given a balance changed behind the ledger, when the audit runs, then it names the violations', async () => {
    await pool.query('update accounts set balance = balance + 1 where id = $1', [set.accountId(4)]);
    const audit = await auditSchema(pool, { schema, runPrefix: 'rit', hasOutbox: true });
    const failed = audit.checks.filter((check) => !check.ok).map((check) => check.name);
    assert.deepEqual(failed.sort(), ['balances sum to 0', 'versions gapless, balances = postings']);
  });
});
