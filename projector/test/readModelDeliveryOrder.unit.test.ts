import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LedgerEvent } from '@ledger/schemas';
import { SeededRandom } from '@ledger/testing/domainRandom';
import { projectEvents } from '../src/readModelProjection.ts';
import { leg, openRejected, opened, posted, rejected } from './eventFixtures.ts';
import { ReadModelModel } from './readModelModel.ts';

// Delivery order and batch boundaries must not matter: the live projector sees one account's
// versions from several partitions, the rebuild sees them in other batches again.
const t0 = Date.UTC(2026, 0, 15, 9, 30);

void describe('read-model projection under any delivery order', () => {
  void it('given a ledger history delivered in any order, split and duplicated, when applied batch by batch, then the read models equal one in-order pass', () => {
    const history = ledgerHistory();
    const expected = new ReadModelModel();
    expected.apply(projectEvents(history));
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = new SeededRandom(seed);
      const delivered = shuffle(
        history.flatMap((event) => (random.chance(0.2) ? [event, event] : [event])),
        random,
      );
      const model = new ReadModelModel();
      for (let start = 0; start < delivered.length;) {
        const size = random.int(1, 6);
        model.apply(projectEvents(delivered.slice(start, start + size)));
        start += size;
      }
      assert.deepEqual(model.snapshot(), expected.snapshot(), `seed ${seed}`);
    }
  });

  void it('given batches applied in order, when an older batch comes late, then the accounts keep the newer versions and the late legs still enter the history', () => {
    const model = new ReadModelModel();
    const newer = posted('t-2', 'fund', 'alice', 5n, leg(-10n, 3), leg(10n, 3), t0 + 2);
    const older = posted('t-1', 'fund', 'alice', 5n, leg(-5n, 2), leg(5n, 2), t0 + 1);
    model.apply(projectEvents([newer]));
    model.apply(projectEvents([older]));
    assert.deepEqual(
      [...model.accounts.values()].map((row) => [row.accountId, row.version, row.balance]),
      [
        ['alice', 3, 10n],
        ['fund', 3, -10n],
      ],
    );
    assert.equal(model.history.size, 4, 'the late legs still enter the history');
  });
});

/** A small consistent ledger: fund opens three accounts' money, they pay each other, some fail. */
function ledgerHistory(): LedgerEvent[] {
  const events: LedgerEvent[] = [opened('fund', t0, 10n ** 9n)];
  const state = new Map<string, { balance: bigint; version: number }>([
    ['fund', { balance: 0n, version: 1 }],
  ]);
  let clock = t0;
  const transfer = (id: string, from: string, to: string, amount: bigint) => {
    const debit = state.get(from);
    const credit = state.get(to);
    if (debit === undefined || credit === undefined)
      throw new Error('fixture names an unknown account');
    const debitAfter = leg(debit.balance - amount, debit.version + 1);
    const creditAfter = leg(credit.balance + amount, credit.version + 1);
    state.set(from, { balance: debitAfter.balanceAfter, version: debitAfter.version });
    state.set(to, { balance: creditAfter.balanceAfter, version: creditAfter.version });
    events.push(posted(id, from, to, amount, debitAfter, creditAfter, (clock += 1)));
  };
  for (const id of ['alice', 'bob', 'carol']) {
    events.push(opened(id, (clock += 1)));
    state.set(id, { balance: 0n, version: 1 });
    transfer(`fund-${id}`, 'fund', id, 1_000n);
  }
  transfer('t-1', 'alice', 'bob', 100n);
  transfer('t-2', 'bob', 'carol', 250n);
  events.push(rejected('t-3', 'carol', 'alice', 10n ** 6n, 'insufficient_funds', (clock += 1)));
  transfer('t-4', 'carol', 'alice', 50n);
  transfer('t-5', 'alice', 'carol', 1n);
  events.push(openRejected('bob', (clock += 1)));
  return events;
}

function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = random.int(0, index);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
