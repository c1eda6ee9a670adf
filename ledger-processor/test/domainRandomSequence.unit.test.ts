import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  AccountChangeKind,
  ChangeAccount,
  DomainCommand,
  SettlePending,
  Transfer,
} from '../src/domain/index.ts';
import { amountMax } from '../src/domain/index.ts';
import {
  account,
  changeAccount,
  nowMs,
  openAccount,
  resent,
  settle,
  transfer,
} from './domainFixtures.ts';
import { ModelLedger } from './domainModelLedger.ts';
import { SeededRandom, ZipfPicker } from '@ledger/testing/domainRandom';

/**
 * Thousands of random commands — opens, transfers between Zipf-hot accounts, funding from a bank
 * with a big overdraft, two "mints" whose max-size transfers push a "whale" past int64, retries,
 * redeliveries, conflicting reuses, reversals (whole, partial, too large, the wrong way) and
 * pending transfers with their posts (whole, partial, too large, late), voids and expiries
 * (early, due, repeated), and account changes (freezes, unfreezes, closes, metadata updates, with
 * and without an expected revision or an idempotency key, retried and reused) — pushed through
 * the batch decider in random batch sizes,
 * with the invariants of docs/architecture.md checked after every batch. A failure prints its seed;
 * rerun it with LEDGER_TEST_SEED=<seed>.
 */
/** 3000 rather than 2500 since account changes joined: frozen payees thin the settlement paths. */
const commandsPerSeed = 3_000;
const fixedSeeds = [1, 2, 3, 0xc0ffee, 20_260_122];
const seeds =
  process.env.LEDGER_TEST_SEED === undefined
    ? [...fixedSeeds, Date.now() % 2 ** 31]
    : [Number(process.env.LEDGER_TEST_SEED)];

const users = Array.from({ length: 40 }, (_v, index) => `u${index}`);
const euroUsers = ['e0', 'e1', 'e2'];
const funders = ['bank', 'mint-a', 'mint-b'];
/**
 * Where the mints send. Each mint's overdraft allows one max-size transfer, so only an account
 * that receives from both is sure to pass int64: random targets (the seed 50128458 case) may
 * never get both, and the check below would then depend on the seed's luck.
 */
const whale = 'whale';
const seeded = ['closed-1', 'frozen-1'];
/** Accounts no transfer names: what a close finds empty (cold users' closes find money). */
const spares = ['s0', 's1', 's2', 's3'];
const openable = [...funders, whale, ...users, ...euroUsers, ...spares];
/** Accounts a change may name: never the funders or the whale, whose postings the run needs. */
const changeable = [...users, ...euroUsers, ...spares, ...seeded, 'nobody'];
/** What freezes and closes name: not the ten hottest users, whose transfers the other paths need. */
const coldUsers = users.slice(10);
const coldChangeable = changeable.filter((id) => !users.slice(0, 10).includes(id));
/** A closed and a frozen account from the first batch on (opened before this log began). */
const seededAccounts = [
  account({ accountId: 'closed-1', status: 'closed' }),
  account({ accountId: 'frozen-1', status: 'frozen' }),
];

function openingOf(accountId: string, altered: boolean) {
  const overdraftLimit =
    accountId === 'bank' ? 10n ** 12n : accountId.startsWith('mint') ? amountMax : 0n;
  return openAccount({
    accountId,
    currency: accountId.startsWith('e') ? 'EUR' : 'USD',
    // An altered body differs by one unit, staying within range.
    overdraftLimit: altered
      ? overdraftLimit === amountMax
        ? overdraftLimit - 1n
        : overdraftLimit + 1n
      : overdraftLimit,
    metadata: { owner: accountId },
  });
}

/** Generates one seed's command stream; history feeds retries, redeliveries and conflicts. */
class Scenario {
  private readonly history: DomainCommand[] = [];
  private readonly transfers: Transfer[] = [];
  private readonly pendings: Transfer[] = [];
  private readonly changes: ChangeAccount[] = [];
  private readonly sentFreeze: string[] = [];
  private changeKeys = 0;
  /** The time of the batch being generated: what the expiry sweep would write into `asOf`. */
  clockMs = nowMs;
  private readonly hot = new ZipfPicker(users, 1.2);
  private readonly anyTarget = [...seeded, 'nobody', ...euroUsers, ...users];
  /** The funders and the hottest users open first; the rest open at random times, if ever. */
  private readonly bootstrap = [...funders, whale, ...users.slice(0, 10)];

  constructor(private readonly random: SeededRandom) {}

  next(): DomainCommand {
    const first = this.bootstrap.shift();
    const command = first === undefined ? this.choose() : openingOf(first, false);
    this.history.push(command);
    if (command.type === 'Transfer') this.transfers.push(command);
    if (command.type === 'Transfer' && command.pending !== undefined) this.pendings.push(command);
    if (command.type === 'ChangeAccount') this.changes.push(command);
    return command;
  }

  /**
   * A freeze (of a cold account: frozen hot users would starve the other paths), unfreeze (mostly
   * of an account sent a freeze), close (of spares, always empty, or of cold users, mostly paid) or
   * metadata update, sometimes expecting a revision (right or wrong), sometimes under an
   * idempotency key; or a retry or a conflicting reuse of an earlier change's key.
   */
  private accountChange(): DomainCommand {
    const r = this.random;
    const earlier = this.changes.length > 0 ? r.pick(this.changes) : undefined;
    if (earlier !== undefined && r.chance(0.15)) {
      if (r.chance(0.6)) return resent(earlier);
      // Same key, another change: idempotency_conflict when the first went ahead.
      const other = r.pick(['freeze', 'unfreeze'] as const);
      return changeAccount({
        accountId: earlier.accountId,
        change: other === earlier.change ? 'close' : other,
        idempotencyKey: earlier.idempotencyKey,
      });
    }
    const change = r.pick(['freeze', 'unfreeze', 'update_metadata', 'close'] as const);
    const accountId = this.changeTarget(change);
    if (change === 'freeze') this.sentFreeze.push(accountId);
    return changeAccount({
      accountId,
      change,
      ...(change === 'update_metadata'
        ? { metadata: { owner: accountId, n: `${r.int(0, 9)}` } }
        : {}),
      ...(r.chance(0.3) ? { expectedRevision: r.int(1, 4) } : {}),
      ...(r.chance(0.5) ? { idempotencyKey: `ck-${++this.changeKeys}` } : {}),
    });
  }

  private changeTarget(change: AccountChangeKind): string {
    const r = this.random;
    switch (change) {
      case 'freeze':
        return r.pick(coldChangeable);
      case 'unfreeze':
        return this.sentFreeze.length > 0 && r.chance(0.8)
          ? r.pick(this.sentFreeze)
          : r.pick(changeable);
      case 'close':
        // Never a hot user: one closed while still empty would starve the other paths.
        return r.chance(0.4) ? r.pick(spares) : r.pick(coldUsers);
      case 'update_metadata':
        return r.pick(changeable);
    }
  }

  /** A hold for a few seconds (or for ever) from a hot user or the bank. */
  private pendingTransfer(): DomainCommand {
    const r = this.random;
    const from = r.chance(0.2) ? 'bank' : this.hot.pick(r);
    return transfer({
      from,
      to: this.hot.pick(r),
      amount: from === 'bank' ? r.amount(6) : r.amount(4),
      pending: r.chance(0.3) ? {} : { timeoutSeconds: r.int(1, 8) },
    });
  }

  /**
   * A post (whole, part, more than held), void or expiry (as of now: due or not) of an earlier
   * pending transfer, sometimes of an ordinary one or naming the wrong payee.
   */
  private settlementOf(target: Transfer): SettlePending {
    const r = this.random;
    const action = r.pick(['post', 'post', 'void', 'expire'] as const);
    const amount =
      action !== 'post'
        ? undefined
        : r.chance(0.25)
          ? target.amount + 1n
          : r.chance(0.5)
            ? undefined
            : BigInt(r.int(1, 9)) * (target.amount / 10n) + 1n;
    return settle({
      transferId: target.transferId,
      from: target.fromAccountId,
      to: r.chance(0.03) ? r.pick(users) : target.toAccountId,
      action,
      ...(amount === undefined
        ? {}
        : { amount: amount > target.amount + 1n ? target.amount : amount }),
      ...(action === 'expire' ? { asOfMs: this.clockMs } : {}),
    });
  }

  /** Commands that reuse an earlier transfer's identity: the idempotency paths. */
  private replayOf(earlier: Transfer, roll: number): DomainCommand {
    if (roll < 0.14) return this.random.pick(this.history); // Kafka redelivery: same command id
    if (roll < 0.19) return resent(earlier); // client retry: same key and body
    if (roll < 0.22) {
      // Same key, other content (the hash would differ too).
      return { ...resent(earlier), amount: earlier.amount + 1n, requestHash: 'f'.repeat(64) };
    }
    return transfer({
      from: earlier.fromAccountId,
      to: earlier.toAccountId,
      amount: 1n,
      transferId: earlier.transferId,
      idempotencyKey: `other-${earlier.transferId}`,
    });
  }

  /**
   * A reversal of an earlier transfer (posted or not): mostly a part or all of what may be left,
   * sometimes more than the whole, sometimes along the original's own direction (refused).
   */
  private reversalOf(earlier: Transfer): DomainCommand {
    const r = this.random;
    const wrongWay = r.chance(0.05);
    return transfer({
      from: wrongWay ? earlier.fromAccountId : earlier.toAccountId,
      to: wrongWay ? earlier.toAccountId : earlier.fromAccountId,
      amount: r.chance(0.15)
        ? earlier.amount + 1n
        : r.chance(0.5)
          ? earlier.amount
          : BigInt(r.int(1, 9)) * (earlier.amount / 10n + 1n),
      currency: earlier.currency,
      reversalOf: earlier.transferId,
    });
  }

  private choose(): DomainCommand {
    const r = this.random;
    const roll = r.next();
    const earlier = this.transfers.length > 0 ? r.pick(this.transfers) : undefined;
    if (roll < 0.1) {
      return openingOf(r.chance(0.3) ? r.pick(funders) : r.pick(openable), r.chance(0.1));
    }
    if (earlier !== undefined && roll < 0.24) return this.replayOf(earlier, roll);
    if (roll < 0.26) {
      return transfer({
        from: r.pick(['mint-a', 'mint-b']),
        to: whale,
        amount: amountMax - r.amount(6),
      });
    }
    // The mints' transfers stay: reversing them would take the whale back under int64.
    if (earlier !== undefined && roll < 0.32 && !earlier.fromAccountId.startsWith('mint')) {
      return this.reversalOf(earlier);
    }
    if (roll < 0.38) return this.pendingTransfer();
    if (roll < 0.46 && earlier !== undefined) {
      const pending = this.pendings.length > 0 ? r.pick(this.pendings) : undefined;
      return this.settlementOf(pending !== undefined && r.chance(0.9) ? pending : earlier);
    }
    if (roll < 0.52) return this.accountChange();
    const from = r.chance(0.2) ? 'bank' : r.chance(0.05) ? r.pick(euroUsers) : this.hot.pick(r);
    return transfer({
      from,
      to: r.chance(0.9) ? this.hot.pick(r) : r.pick(this.anyTarget),
      amount: from === 'bank' ? r.amount(6) : r.amount(4),
      currency: r.chance(0.03) ? 'EUR' : from.startsWith('e') ? 'EUR' : 'USD',
    });
  }
}

function batchSize(random: SeededRandom): number {
  return random.int(1, random.pick([1, 8, 64, 300]));
}

function runSeed(seed: number, batchSizes: (random: SeededRandom) => number) {
  const random = new SeededRandom(seed);
  const scenario = new Scenario(random);
  const ledger = new ModelLedger();
  for (const seededAccount of seededAccounts) ledger.seed(seededAccount);
  const commands: { command: DomainCommand; atMs: number }[] = [];
  const kinds = new Map<string, number>();
  while (commands.length < commandsPerSeed) {
    // A quarter second per batch: pending transfers with a timeout of seconds expire mid-run.
    const atMs = nowMs + ledger.batchCount * 250;
    scenario.clockMs = atMs;
    const batch = Array.from({ length: batchSizes(random) }, () => scenario.next());
    commands.push(...batch.map((command) => ({ command, atMs })));
    const result = ledger.run(batch, atMs);
    for (const decision of result.decisions) {
      const kind = decision.kind === 'rejected' ? (decision.outcome.code ?? '') : decision.kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      // Decided exactly once: every command has its one stored outcome after its batch.
      assert.ok(ledger.outcomes.has(decision.command.commandId), 'a command has no outcome');
    }
    ledger.assertInvariants();
  }
  return { ledger, commands, kinds };
}

void describe('domain: random command sequences through the batch decider', () => {
  for (const seed of seeds) {
    void it(`given seed ${seed}, when ${commandsPerSeed} random commands run in random batches, then every batch keeps the invariants`, () => {
      try {
        const { ledger, commands, kinds } = runSeed(seed, batchSize);
        // The scenario must actually reach every path, or the invariants prove little.
        for (const kind of [
          'applied',
          'duplicate',
          'conflict',
          'insufficient_funds',
          'account_not_found',
          'account_closed',
          'currency_mismatch',
          'account_exists',
          'reversal_exceeds_transfer',
          'transfer_not_reversible',
          'transfer_not_pending',
          'post_exceeds_pending',
          'pending_not_expired',
          'revision_conflict',
          'account_status_conflict',
          'account_not_empty',
        ]) {
          assert.ok((kinds.get(kind) ?? 0) > 0, `seed ${seed} never produced ${kind}`);
        }
        const accepted = new Set([...ledger.accountChanges.values()].map((c) => c.record.change));
        for (const change of ['freeze', 'unfreeze', 'close', 'update_metadata'] as const) {
          assert.ok(accepted.has(change), `seed ${seed} never accepted a ${change}`);
        }
        const largest = [...ledger.accounts.values()].reduce(
          (max, a) => (a.balance > max ? a.balance : max),
          0n,
        );
        assert.ok(largest > amountMax, 'some balance went past int64');
        // Batching is only an optimisation: one command per batch decides exactly the same.
        const oneByOne = new ModelLedger();
        for (const seededAccount of seededAccounts) oneByOne.seed(seededAccount);
        // Each command at its batch's time: deadlines of pending transfers depend on it.
        for (const { command, atMs } of commands) oneByOne.run([command], atMs);
        assert.deepEqual(oneByOne.accounts, withoutTimes(ledger.accounts, oneByOne.accounts));
        assert.equal(oneByOne.journal.length, ledger.journal.length);
      } catch (error) {
        console.error(
          `random sequence failed with seed ${seed}: rerun with LEDGER_TEST_SEED=${seed}`,
        );
        throw error;
      }
    });
  }
});

/** Account rows carry no batch time but the opening's; compare after aligning it. */
function withoutTimes<K, V extends { createdAtMs: number }>(
  rows: ReadonlyMap<K, V>,
  reference: ReadonlyMap<K, V>,
): Map<K, V> {
  return new Map(
    [...rows].map(([key, row]) => [
      key,
      { ...row, createdAtMs: reference.get(key)?.createdAtMs ?? row.createdAtMs },
    ]),
  );
}
