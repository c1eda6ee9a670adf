import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@ledger/runtime';
import type { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import type { CommandOutcome } from '../src/domain/index.ts';
import { createOutcomeNotifier, outcomeNoticeBatchesInFlightMax } from '../src/outcomeNotifier.ts';

const outcome: CommandOutcome = {
  commandId: 'cmd-1',
  kind: 'open_account',
  subjectId: 'alice',
  status: 'applied',
  code: undefined,
  versions: { alice: 1 },
  balances: {},
  replayOf: undefined,
  decidedAtMs: 0,
};

/** A Redis whose pipelines stay unanswered until the test releases them all. */
function silentRedis() {
  const pending: (() => void)[] = [];
  const redis = {
    pipeline: () => {
      const pipeline = {
        set: () => pipeline,
        publish: () => pipeline,
        exec: () => new Promise<void>((resolve) => pending.push(resolve)),
      };
      return pipeline;
    },
  } as unknown as Redis;
  return { redis, pending };
}

describe('outcome notifier', () => {
  it('given Redis not answering, when more batches are notified than may be in flight, then the extra ones are dropped and counted', async () => {
    const { redis, pending } = silentRedis();
    const failures = new Counter({ name: 'failures', help: 'f', registers: [new Registry()] });
    const notifier = createOutcomeNotifier({
      redis,
      topicPrefix: 'test',
      logger: createLogger({ level: 'error', write: () => undefined }),
      failures,
    });
    const sent = Array.from({ length: outcomeNoticeBatchesInFlightMax + 3 }, () =>
      notifier.notify([outcome]),
    );
    assert.equal(pending.length, outcomeNoticeBatchesInFlightMax);
    assert.equal((await failures.get()).values[0]?.value, 3);
    for (const release of pending.splice(0)) release();
    await Promise.all(sent);
    const next = notifier.notify([outcome]);
    assert.equal(pending.length, 1, 'a slot frees once Redis answers');
    pending[0]?.();
    await next;
  });

  it('given an applied account change and a refused one, when notified, then the applied notice carries the new revision and the refusal its code only', async () => {
    const published: string[] = [];
    const redis = {
      pipeline: () => {
        const pipeline = {
          set: () => pipeline,
          publish: (_channel: string, message: string) => {
            published.push(message);
            return pipeline;
          },
          exec: () => Promise.resolve([]),
        };
        return pipeline;
      },
    } as unknown as Redis;
    const notifier = createOutcomeNotifier({
      redis,
      topicPrefix: 'test',
      logger: createLogger({ level: 'error', write: () => undefined }),
      failures: new Counter({ name: 'failures', help: 'f', registers: [new Registry()] }),
    });
    const changed: CommandOutcome = {
      ...outcome,
      commandId: 'cmd-2',
      kind: 'account_change',
      versions: { alice: 3 },
      revision: 2,
    };
    const refused: CommandOutcome = {
      ...changed,
      commandId: 'cmd-3',
      status: 'rejected',
      code: 'revision_conflict',
      versions: {},
      revision: undefined,
    };
    await notifier.notify([changed, refused]);
    assert.deepEqual(JSON.parse(published[0] ?? '[]'), [
      { commandId: 'cmd-2', status: 'applied', versions: { alice: 3 }, revision: 2 },
      { commandId: 'cmd-3', status: 'rejected', code: 'revision_conflict' },
    ]);
  });
});
