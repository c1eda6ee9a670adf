import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createProcessorMetrics, recordDecisions } from '../src/processorMetrics.ts';
import { account, changeAccount, decideWith, nowMs } from './domainFixtures.ts';

void describe('processor metrics: account changes', () => {
  void it('given a batch that freezes, refuses a second freeze and a close of a funded account, when recorded, then the changes are counted by change and outcome', async () => {
    const metrics = createProcessorMetrics(new Registry());
    const decision = decideWith(
      [account({ accountId: 'alice', balance: 5n, version: 2 }), account({ accountId: 'bob' })],
      [
        changeAccount({ accountId: 'alice', change: 'freeze' }),
        changeAccount({ accountId: 'alice', change: 'freeze' }),
        changeAccount({ accountId: 'alice', change: 'close' }),
        changeAccount({ accountId: 'bob', change: 'freeze' }),
      ],
    );
    recordDecisions(metrics, decision.decisions, nowMs);
    const counted = (await metrics.accountChanges.get()).values.map(
      (value) => `${value.labels.change} ${value.labels.outcome} ${value.value}`,
    );
    assert.deepEqual(counted.sort(), [
      'close account_not_empty 1',
      'freeze account_status_conflict 1',
      'freeze applied 2',
    ]);
    const kinds = (await metrics.commandsDecided.get()).values.map(
      (value) => `${value.labels.kind} ${value.value}`,
    );
    assert.deepEqual(kinds.sort(), ['applied 2', 'rejected 2']);
  });
});
