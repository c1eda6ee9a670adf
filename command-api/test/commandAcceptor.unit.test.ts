import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError, createLogger } from '@ledger/runtime';
import type { OpenAccount, Transfer } from '@ledger/schemas';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { commandApiMetrics } from '../src/commandApiMetrics.ts';
import { acceptCommands, type AcceptResult } from '../src/commandAcceptor.ts';
import type { CommandOutcome } from '../src/appDeps.ts';
import type { AcceptedCommand } from '../src/commands.ts';
import { FakeIdempotency, FakePublisher } from './fakes.ts';

// What the acceptor answers for a command whose claim the store could not vouch for (Redis
// down, or a claim taken over from a dead owner): the ledger's decision, read after publishing.

const transfer = (
  commandId: string,
  key: string,
  hash = `hash-${key}`,
): AcceptedCommand<Transfer> => ({
  commandId,
  idempotencyKey: key,
  requestHash: hash,
  receivedAt: 1_767_000_000_000,
  payload: {
    type: 'Transfer',
    transferId: key,
    fromAccountId: 'alice',
    toAccountId: 'bob',
    amount: 250n,
    currency: 'USD',
    metadata: {},
  },
});

const openAccount = (commandId: string, accountId: string): AcceptedCommand<OpenAccount> => ({
  commandId,
  idempotencyKey: accountId,
  requestHash: `hash-${accountId}-other`,
  receivedAt: 1_767_000_000_000,
  payload: { type: 'OpenAccount', accountId, currency: 'USD', overdraftLimit: 0n, metadata: {} },
});

function setUp() {
  const registry = new Registry();
  const publisher = new FakePublisher();
  const idempotency = new FakeIdempotency();
  const deps = { publisher, idempotency, metrics: commandApiMetrics(registry) };
  const trace = {
    requestId: 'req-1',
    context: ROOT_CONTEXT,
    log: createLogger({ level: 'error', write: () => undefined }),
  };
  const accept = (commands: readonly AcceptedCommand[]) => acceptCommands(commands, deps, trace);
  /** The fake ledger's decision of `outcome.commandId`, which `settle` finds. */
  const ledgerDecides = (
    outcome: CommandOutcome,
    { subjectId, replayOf }: { subjectId: string; replayOf?: string },
  ) => idempotency.decisions.set(outcome.commandId, { outcome, subjectId, replayOf });
  const checks = async (result: string) => {
    const metric = await registry
      .getSingleMetric('command_api_idempotency_ledger_checks_total')
      ?.get();
    return metric?.values.find((value) => value.labels.result === result)?.value ?? 0;
  };
  return { publisher, idempotency, accept, ledgerDecides, checks };
}

const refusalCode = (result: AcceptResult | undefined) =>
  result?.kind === 'refused' && result.error instanceof LedgerError ? result.error.code : undefined;

void describe('acceptor: answers from the ledger when a claim is unverified', () => {
  void it('given Redis is down and an earlier command with the key is not yet decided, when the ledger decides the new one a duplicate, then it is answered as a replay of the original', async () => {
    const { publisher, idempotency, accept, ledgerDecides, checks } = setUp();
    idempotency.unheld = true;
    ledgerDecides(
      { commandId: 'cmd-new', status: 'applied', versions: { alice: 2, bob: 2 } },
      { subjectId: 't-1', replayOf: 'cmd-original' },
    );

    const results = await accept([transfer('cmd-new', 't-1')]);

    assert.equal(publisher.published.length, 1, 'published: only the ledger could tell');
    assert.deepEqual(results, [{ kind: 'replayed', commandId: 'cmd-original', subjectId: 't-1' }]);
    assert.equal(await checks('replayed'), 1);
  });

  void it('given Redis is down, when the ledger finds the key used with another body, then the command is refused with the conflict code', async () => {
    const { idempotency, accept, ledgerDecides, checks } = setUp();
    idempotency.unheld = true;
    ledgerDecides(
      { commandId: 'cmd-t', status: 'rejected', code: 'idempotency_conflict' },
      { subjectId: 't-2' },
    );
    ledgerDecides(
      { commandId: 'cmd-a', status: 'rejected', code: 'account_exists' },
      { subjectId: 'carol' },
    );

    const [transferResult] = await accept([transfer('cmd-t', 't-2')]);
    const [accountResult] = await accept([openAccount('cmd-a', 'carol')]);

    assert.equal(refusalCode(transferResult), 'idempotency_conflict');
    assert.equal(refusalCode(accountResult), 'account_exists');
    assert.equal(await checks('conflict'), 2);
  });

  void it('given Redis is down, when the ledger decides the command new or not in time, then it stays accepted under its own id', async () => {
    const { idempotency, accept, ledgerDecides, checks } = setUp();
    idempotency.unheld = true;
    ledgerDecides(
      { commandId: 'cmd-fresh', status: 'rejected', code: 'insufficient_funds' },
      { subjectId: 't-3' },
    );

    const results = await accept([transfer('cmd-fresh', 't-3'), transfer('cmd-late', 't-4')]);

    assert.deepEqual(results, [
      { kind: 'accepted', commandId: 'cmd-fresh', subjectId: 't-3' },
      { kind: 'accepted', commandId: 'cmd-late', subjectId: 't-4' },
    ]);
    assert.equal(await checks('new'), 1);
    assert.equal(await checks('undecided'), 1);
  });

  void it('given a batch with the key twice while Redis is down, when the first is found a replay, then both items answer the original', async () => {
    const { publisher, idempotency, accept, ledgerDecides } = setUp();
    idempotency.unheld = true;
    ledgerDecides(
      { commandId: 'cmd-first', status: 'applied', versions: { alice: 3, bob: 3 } },
      { subjectId: 't-5', replayOf: 'cmd-earlier' },
    );
    // The store answers the batch's second item with the first, as the real store's in-request
    // dedupe does (the fake holds nothing while unheld, so it is set up by hand).
    idempotency.keys.set('transfer:t-5-dup', {
      commandId: 'cmd-first',
      requestHash: 'hash-t-5-dup',
      subjectId: 't-5',
    });

    const results = await accept([transfer('cmd-first', 't-5'), transfer('cmd-second', 't-5-dup')]);

    assert.equal(publisher.published.length, 1);
    assert.deepEqual(results, [
      { kind: 'replayed', commandId: 'cmd-earlier', subjectId: 't-5' },
      { kind: 'replayed', commandId: 'cmd-earlier', subjectId: 't-5' },
    ]);
  });

  void it('given the claim store fails, when a command is accepted, then the ledger is asked after publishing', async () => {
    const { idempotency, accept, ledgerDecides } = setUp();
    idempotency.failing = true;
    ledgerDecides(
      { commandId: 'cmd-x', status: 'applied', versions: { alice: 4, bob: 4 } },
      { subjectId: 't-6', replayOf: 'cmd-before' },
    );

    const results = await accept([transfer('cmd-x', 't-6')]);

    assert.deepEqual(results, [{ kind: 'replayed', commandId: 'cmd-before', subjectId: 't-6' }]);
  });

  void it('given Redis holds the claim, when a command is accepted, then the ledger is never asked (no cost on the normal path)', async () => {
    const { idempotency, accept } = setUp();

    const results = await accept([transfer('cmd-y', 't-7')]);

    assert.deepEqual(results, [{ kind: 'accepted', commandId: 'cmd-y', subjectId: 't-7' }]);
    assert.deepEqual(idempotency.settled, []);
  });
});
