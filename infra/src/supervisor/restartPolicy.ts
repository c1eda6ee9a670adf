import { assert } from '@ledger/runtime';
import type { RestartPolicy } from '../stackLimits.ts';

/**
 * When a part that was healthy dies: restart it after an exponentially growing delay, unless it
 * died too often within the window (then give up and say so). Pure, so the policy is
 * unit-tested without processes.
 */
export type RestartDecision =
  | { readonly kind: 'restart'; readonly delayMs: number; readonly deathsInWindow: number }
  | { readonly kind: 'give-up'; readonly deathsInWindow: number };

export interface DeathHistory {
  /** When the part died, oldest first, including the death being decided on. */
  readonly deathTimesMs: readonly number[];
  /** Deaths since the part last ran stably (healthy for `stableAfterMs`), at least 1. */
  readonly consecutiveDeaths: number;
  readonly nowMs: number;
}

/**
 * Checked when a supervisor is created: a policy whose limits contradict each other would loop
 * forever (multiplier <= 1 never backs off) or never trip the budget (restarts cannot fit in the
 * window).
 */
export function checkRestartPolicy(policy: RestartPolicy): void {
  assert(policy.initialDelayMs > 0, 'restart policy: initialDelayMs must be positive');
  assert(
    policy.delayMaxMs >= policy.initialDelayMs,
    'restart policy: delayMaxMs must be at least initialDelayMs',
  );
  assert(policy.multiplier > 1, 'restart policy: multiplier must be above 1');
  assert(policy.restartsPerWindowMax >= 1, 'restart policy: restartsPerWindowMax must be >= 1');
  assert(
    policy.delayMaxMs * policy.restartsPerWindowMax < policy.restartWindowMs,
    'restart policy: restartsPerWindowMax restarts at delayMaxMs must fit in restartWindowMs',
  );
}

export function decideRestart(history: DeathHistory, policy: RestartPolicy): RestartDecision {
  const deathsInWindow = pruneDeaths(history.deathTimesMs, history.nowMs, policy).length;
  if (deathsInWindow > policy.restartsPerWindowMax) return { kind: 'give-up', deathsInWindow };
  return {
    kind: 'restart',
    delayMs: restartDelayMs(history.consecutiveDeaths, policy),
    deathsInWindow,
  };
}

/** 1st death → initial delay, each further consecutive one × multiplier, capped. */
export function restartDelayMs(consecutiveDeaths: number, policy: RestartPolicy): number {
  const exponent = Math.max(0, consecutiveDeaths - 1);
  return Math.min(policy.initialDelayMs * policy.multiplier ** exponent, policy.delayMaxMs);
}

/** Deaths within the window are kept; older ones can no longer trip the limit. */
export function pruneDeaths(
  deathTimesMs: readonly number[],
  nowMs: number,
  policy: RestartPolicy,
): number[] {
  return deathTimesMs.filter((time) => time > nowMs - policy.restartWindowMs);
}
