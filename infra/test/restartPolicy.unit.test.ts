import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restartPolicy, type RestartPolicy } from '../src/stackLimits.ts';
import {
  checkRestartPolicy,
  decideRestart,
  pruneDeaths,
  restartDelayMs,
} from '../src/supervisor/restartPolicy.ts';

const policy: RestartPolicy = {
  initialDelayMs: 1_000,
  delayMaxMs: 8_000,
  multiplier: 2,
  restartsPerWindowMax: 3,
  restartWindowMs: 60_000,
  stableAfterMs: 30_000,
};

void describe('restart policy', () => {
  void it('given consecutive deaths, then the delay doubles from the initial one up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((deaths) => restartDelayMs(deaths, policy));

    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  void it('given deaths within the window up to the maximum, then the part is restarted', () => {
    const decision = decideRestart(
      { deathTimesMs: [1_000, 2_000, 3_000], consecutiveDeaths: 3, nowMs: 3_000 },
      policy,
    );

    assert.deepEqual(decision, { kind: 'restart', delayMs: 4_000, deathsInWindow: 3 });
  });

  void it('given one death more than the maximum within the window, then the supervisor gives up', () => {
    const decision = decideRestart(
      { deathTimesMs: [1_000, 2_000, 3_000, 4_000], consecutiveDeaths: 4, nowMs: 4_000 },
      policy,
    );

    assert.deepEqual(decision, { kind: 'give-up', deathsInWindow: 4 });
  });

  void it('given old deaths outside the window, then they no longer count against the limit', () => {
    const decision = decideRestart(
      { deathTimesMs: [1_000, 2_000, 3_000, 70_000], consecutiveDeaths: 1, nowMs: 70_000 },
      policy,
    );

    assert.deepEqual(decision, { kind: 'restart', delayMs: 1_000, deathsInWindow: 1 });
    assert.deepEqual(pruneDeaths([1_000, 2_000, 3_000, 70_000], 70_000, policy), [70_000]);
  });

  void it('given the shipped policy, then its limits are consistent', () => {
    assert.ok(restartPolicy.initialDelayMs > 0);
    assert.ok(restartPolicy.delayMaxMs >= restartPolicy.initialDelayMs);
    assert.ok(restartPolicy.multiplier > 1);
    assert.ok(restartPolicy.restartsPerWindowMax >= 1);
    // The cap must let the maximum number of restarts fit in the window, or the limit never trips.
    assert.ok(
      restartPolicy.delayMaxMs * restartPolicy.restartsPerWindowMax < restartPolicy.restartWindowMs,
    );
  });

  void it('given a policy whose limits contradict each other, then it is refused at start-up', () => {
    checkRestartPolicy(restartPolicy);
    checkRestartPolicy(policy);

    assert.throws(() => checkRestartPolicy({ ...policy, multiplier: 1 }), /multiplier/);
    assert.throws(() => checkRestartPolicy({ ...policy, delayMaxMs: 500 }), /delayMaxMs/);
    assert.throws(
      () => checkRestartPolicy({ ...policy, restartWindowMs: 24_000 }),
      /fit in restartWindowMs/,
    );
  });
});
