import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@ledger/runtime';
import type { LedgerDecision } from '../src/appDeps.ts';
import { createDecisionPoller } from '../src/postgres/decisionPoller.ts';

// The Postgres poll for decisions while the Redis push is not there: one query per interval for
// every waiting request, answered as soon as a request has all its decisions, bounded in time
// and in waited commands.

const pollIntervalMs = 5;
const logger = createLogger({ level: 'error', write: () => undefined });
const decisionOf = (commandId: string): LedgerDecision => ({
  outcome: { commandId, status: 'applied', versions: { alice: 1 } },
  subjectId: 'alice',
  replayOf: undefined,
});

/** A stand-in `command_outcomes`: rows appear when a test decides them; every lookup is logged. */
function fakeTable() {
  const rows = new Map<string, LedgerDecision>();
  const lookups: string[][] = [];
  let failing = false;
  return {
    rows,
    lookups,
    fail(value: boolean) {
      failing = value;
    },
    decided: {
      decisions(commandIds: readonly string[]): Promise<ReadonlyMap<string, LedgerDecision>> {
        lookups.push([...commandIds]);
        if (failing) return Promise.reject(new Error('postgres down'));
        const found = new Map<string, LedgerDecision>();
        for (const id of commandIds) {
          const row = rows.get(id);
          if (row !== undefined) found.set(id, row);
        }
        return Promise.resolve(found);
      },
    },
  };
}

void describe('decision poller', () => {
  void it('given two requests waiting, when their decisions land, then one lookup serves both and each resolves once it has all of its own', async () => {
    const table = fakeTable();
    const poller = createDecisionPoller({ decided: table.decided, logger, pollIntervalMs });
    const first = poller.waitFor(['a', 'b'], 5_000);
    const second = poller.waitFor(['b'], 5_000);
    await sleep(3 * pollIntervalMs);
    table.rows.set('b', decisionOf('b'));
    assert.deepEqual([...(await second).keys()], ['b']);
    table.rows.set('a', decisionOf('a'));
    assert.deepEqual([...(await first).keys()].sort(), ['a', 'b']);
    assert.ok(
      table.lookups.every((ids) => ids.length <= 2 && new Set(ids).size === ids.length),
      'every waited id once per lookup',
    );
    const lookupsWhenDone = table.lookups.length;
    await sleep(5 * pollIntervalMs);
    assert.equal(table.lookups.length, lookupsWhenDone, 'nobody waits: no polling');
  });

  void it('given a decision that does not land, when the timeout passes, then the wait resolves with what it found', async () => {
    const table = fakeTable();
    table.rows.set('decided', decisionOf('decided'));
    const poller = createDecisionPoller({ decided: table.decided, logger, pollIntervalMs });
    const started = Date.now();
    const found = await poller.waitFor(['decided', 'never'], 100);
    assert.ok(Date.now() - started >= 95, 'waited its bound');
    assert.deepEqual([...found.keys()], ['decided']);
  });

  void it('given Postgres fails for a while, when it answers again, then the wait still gets its decision', async () => {
    const table = fakeTable();
    table.fail(true);
    const poller = createDecisionPoller({ decided: table.decided, logger, pollIntervalMs });
    const waiting = poller.waitFor(['x'], 5_000);
    await sleep(4 * pollIntervalMs);
    table.rows.set('x', decisionOf('x'));
    table.fail(false);
    assert.deepEqual([...(await waiting).keys()], ['x']);
  });

  void it('given the waited commands at the bound, when one more request waits, then it is answered at once without decisions', async () => {
    const table = fakeTable();
    const poller = createDecisionPoller({
      decided: table.decided,
      logger,
      pollIntervalMs,
      commandsMax: 2,
    });
    const holding = poller.waitFor(['a', 'b'], 5_000);
    const started = Date.now();
    assert.equal((await poller.waitFor(['c'], 5_000)).size, 0);
    assert.ok(Date.now() - started < 1_000, 'not waited');
    poller.close();
    assert.equal((await holding).size, 0, 'close answers the waiting requests');
  });

  void it('given a closed poller or a zero bound, when a request waits, then it is answered at once', async () => {
    const table = fakeTable();
    const poller = createDecisionPoller({ decided: table.decided, logger, pollIntervalMs });
    assert.equal((await poller.waitFor(['a'], 0)).size, 0);
    poller.close();
    assert.equal((await poller.waitFor(['a'], 5_000)).size, 0);
    assert.equal(table.lookups.length, 0);
  });
});
