import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EntryKind, HistoryItem } from '../src/postgres/readModels.ts';
import { account, change } from './fixtures.ts';
import { inMemoryReadModels, startTestApp, type TestApp } from './appHarness.ts';

/**
 * Pending transfers (holds) as the query API serves them, through the real server over an
 * in-memory read model: the available balance (balance − held) beside the balance on every
 * balance answer, entry kinds in the history, and the statuses of a pending transfer.
 */
void describe('query API: available balances and pending transfers', () => {
  const store = inMemoryReadModels();
  let running: TestApp;

  // dora's entries: funded 1000 (v2), 300 held for h-1 (v3), h-1 voided (v4), 200 held for h-2
  // (v5), h-2 expired (v6), 400 held for h-3 (v7), 250 of h-3 posted, all of it released (v8),
  // 100 held for h-4 (v9, still pending).
  const entry = (
    version: number,
    transferId: string,
    kind: EntryKind,
    direction: HistoryItem['direction'],
    amount: bigint,
    balanceAfter: bigint,
    heldAfter: bigint,
  ): HistoryItem => ({
    transferId,
    kind,
    direction,
    amount,
    balanceAfter,
    availableAfter: balanceAfter - heldAfter,
    version,
    counterpartyAccountId: 'payee',
    postedAt: `2026-01-15T10:0${version}:00.000Z`,
  });
  const doraEntries = [
    entry(2, 't-fund', 'posted', 'credit', 1_000n, 1_000n, 0n),
    entry(3, 'h-1', 'pending', 'debit', 300n, 1_000n, 300n),
    entry(4, 'h-1', 'voided', 'debit', 300n, 1_000n, 0n),
    entry(5, 'h-2', 'pending', 'debit', 200n, 1_000n, 200n),
    entry(6, 'h-2', 'expired', 'debit', 200n, 1_000n, 0n),
    entry(7, 'h-3', 'pending', 'debit', 400n, 1_000n, 400n),
    entry(8, 'h-3', 'posted', 'debit', 250n, 750n, 0n),
    entry(9, 'h-4', 'pending', 'debit', 100n, 750n, 100n),
  ];

  before(async () => {
    store.accounts.set('dora', { ...account('dora', 9, 750n), available: 650n });
    store.accounts.set('ed', { ...account('ed', 4, 80n), available: 30n });
    store.history.set('dora', doraEntries);
    const transfer = {
      fromAccountId: 'dora',
      toAccountId: 'payee',
      currency: 'USD',
      code: null,
      postedAt: null,
    };
    store.transfers.set('h-1', {
      ...transfer,
      transferId: 'h-1',
      status: 'voided',
      amount: 300n,
      pendingAmount: 300n,
    });
    store.transfers.set('h-2', {
      ...transfer,
      transferId: 'h-2',
      status: 'expired',
      amount: 200n,
      pendingAmount: 200n,
      expiresAt: '2026-01-15T10:05:30.000Z',
    });
    store.transfers.set('h-3', {
      ...transfer,
      transferId: 'h-3',
      status: 'posted',
      amount: 250n,
      postedAt: '2026-01-15T10:08:00.000Z',
      pendingAmount: 400n,
      expiresAt: '2026-01-16T10:07:00.000Z',
    });
    store.transfers.set('h-4', {
      ...transfer,
      transferId: 'h-4',
      status: 'pending',
      amount: 100n,
      pendingAmount: 100n,
      expiresAt: '2026-01-15T11:09:00.000Z',
    });
    store.transfers.set('t-plain', {
      ...transfer,
      transferId: 't-plain',
      status: 'posted',
      amount: 5n,
      postedAt: '2026-01-15T10:01:00.000Z',
    });
    running = await startTestApp(store.readModels);
  });

  after(async () => {
    await running?.close();
  });

  const get = (path: string) => fetch(`${running.baseUrl}${path}`);

  void it('given an account holding part of its balance, when its balance and account are read by a miss and then by a hit, then both answer the same available balance', async () => {
    const missed = await get('/v1/accounts/dora/balance');
    const hit = await get('/v1/accounts/dora/balance');
    const whole = await get('/v1/accounts/dora');

    assert.equal(missed.headers.get('x-cache'), 'miss');
    assert.equal(hit.headers.get('x-cache'), 'hit');
    const body =
      '{"accountId":"dora","currency":"USD","balance":"750","available":"650","version":9}';
    assert.equal(await missed.text(), body);
    assert.equal(await hit.text(), body);
    assert.deepEqual(await whole.json(), {
      accountId: 'dora',
      currency: 'USD',
      balance: '750',
      available: '650',
      overdraftLimit: '0',
      status: 'open',
      version: 9,
      revision: 1,
      createdAt: '2026-01-15T09:30:00.000Z',
      metadata: { name: 'dora' },
    });
  });

  void it('given an account read whole first (a miss on the account route), when its balance is read (a hit), then the available balance is the same', async () => {
    const whole = (await (await get('/v1/accounts/ed')).json()) as Record<string, unknown>;
    const balance = await get('/v1/accounts/ed/balance');

    assert.equal(whole.available, '30');
    assert.equal(balance.headers.get('x-cache'), 'hit');
    assert.equal(((await balance.json()) as Record<string, unknown>).available, '30');
  });

  void it('given a cached account holding part of its balance, when a change with available and then one without it arrive, then the account answers each (the balance when none is said)', async () => {
    await get('/v1/accounts/ed/balance');

    running.app.applyChange({ ...change('ed', 5, 80n), available: 10n });
    const held = (await (await get('/v1/accounts/ed/balance')).json()) as Record<string, unknown>;
    running.app.applyChange(change('ed', 6, 75n));
    const released = await get('/v1/accounts/ed');

    assert.deepEqual([held.balance, held.available, held.version], ['80', '10', 5]);
    const body = (await released.json()) as Record<string, unknown>;
    assert.deepEqual([body.balance, body.available, body.version], ['75', '75', 6]);
  });

  void it('given entries that held and released, when the balance is read as of each version, then available is the balance less what was held after it', async () => {
    const expected: [number, string, string][] = [
      [1, '0', '0'],
      [2, '1000', '1000'],
      [3, '1000', '700'],
      [4, '1000', '1000'],
      [5, '1000', '800'],
      [6, '1000', '1000'],
      [7, '1000', '600'],
      [8, '750', '750'],
      [9, '750', '650'],
    ];
    for (const [version, balance, available] of expected) {
      const response = await get(`/v1/accounts/dora/balance?asOfVersion=${version}`);
      assert.equal(response.headers.get('x-cache'), 'bypass');
      assert.equal(
        await response.text(),
        `{"accountId":"dora","currency":"USD","balance":"${balance}","available":"${available}","version":${version},"asOfVersion":${version}}`,
      );
    }
    const atInstant = (await (
      await get('/v1/accounts/dora/balance?asOf=2026-01-15T10:07:30Z')
    ).json()) as Record<string, unknown>;
    assert.deepEqual(atInstant, {
      accountId: 'dora',
      currency: 'USD',
      balance: '1000',
      available: '600',
      version: 7,
      asOf: '2026-01-15T10:07:30.000Z',
    });
  });

  void it('given holds and their releases, when the history is read, then each entry says its kind and the available balance after it; a hold is a debit that leaves the balance as it was', async () => {
    const page = (await (await get('/v1/accounts/dora/transactions?limit=200')).json()) as {
      items: Record<string, unknown>[];
    };

    assert.deepEqual(
      page.items.map((item) => [
        item.version,
        item.kind,
        item.direction,
        item.amount,
        item.balanceAfter,
        item.availableAfter,
      ]),
      [
        [9, 'pending', 'debit', '100', '750', '650'],
        [8, 'posted', 'debit', '250', '750', '750'],
        [7, 'pending', 'debit', '400', '1000', '600'],
        [6, 'expired', 'debit', '200', '1000', '1000'],
        [5, 'pending', 'debit', '200', '1000', '800'],
        [4, 'voided', 'debit', '300', '1000', '1000'],
        [3, 'pending', 'debit', '300', '1000', '700'],
        [2, 'posted', 'credit', '1000', '1000', '1000'],
      ],
    );
    assert.deepEqual(page.items[0], {
      transferId: 'h-4',
      kind: 'pending',
      direction: 'debit',
      amount: '100',
      balanceAfter: '750',
      availableAfter: '650',
      version: 9,
      counterpartyAccountId: 'payee',
      postedAt: '2026-01-15T10:09:00.000Z',
    });
  });

  void it('given pending transfers in every state, when read, then each answers its status, the pending amount and its deadline', async () => {
    const read = async (transferId: string) =>
      (await (await get(`/v1/transfers/${transferId}`)).json()) as Record<string, unknown>;
    const common = { fromAccountId: 'dora', toAccountId: 'payee', currency: 'USD' };

    assert.deepEqual(await read('h-4'), {
      transferId: 'h-4',
      status: 'pending',
      ...common,
      amount: '100',
      pendingAmount: '100',
      expiresAt: '2026-01-15T11:09:00.000Z',
    });
    assert.deepEqual(await read('h-3'), {
      transferId: 'h-3',
      status: 'posted',
      ...common,
      amount: '250',
      postedAt: '2026-01-15T10:08:00.000Z',
      pendingAmount: '400',
      expiresAt: '2026-01-16T10:07:00.000Z',
    });
    assert.deepEqual(await read('h-2'), {
      transferId: 'h-2',
      status: 'expired',
      ...common,
      amount: '200',
      pendingAmount: '200',
      expiresAt: '2026-01-15T10:05:30.000Z',
    });
    assert.deepEqual(await read('h-1'), {
      transferId: 'h-1',
      status: 'voided',
      ...common,
      amount: '300',
      pendingAmount: '300',
    });
  });

  void it('given an ordinary transfer, when read, then its answer is byte for byte what it was before holds existed', async () => {
    assert.equal(
      await (await get('/v1/transfers/t-plain')).text(),
      '{"transferId":"t-plain","status":"posted","fromAccountId":"dora","toAccountId":"payee","amount":"5","currency":"USD","postedAt":"2026-01-15T10:01:00.000Z"}',
    );
  });
});
