import type { CommandOutcome, CommandState, OutcomeWait, OutcomeWaiter } from './appDeps.ts';

/**
 * A `Prefer: wait` that also reads the command store now and then, in case a pushed outcome never
 * comes. The push is the fast path, but the processor writes it to Redis only while its own Redis
 * connection is up: a decision made while that connection comes back after a Redis restart is in
 * Postgres only, and its waiter would wait out the whole `wait=N` for a decision 100 ms old.
 * The first read comes after recheckFirstMs, when a pushed outcome is normally long there; each
 * later one twice as late, so a request reads the store at most a handful of times however long
 * it waits (4 for 30 s), and a processor backlog is not turned into a Postgres poll per request.
 */
export const recheckFirstMs = 1_000;

export interface RecheckDeps {
  readonly waiter: OutcomeWaiter;
  /** The idempotency store's state read: Redis first, then Postgres `command_outcomes`. */
  readonly states: (commandIds: readonly string[]) => Promise<ReadonlyMap<string, CommandState>>;
  readonly firstRecheckMs?: number;
}

export function withOutcomeRechecks(deps: RecheckDeps): OutcomeWaiter {
  const firstMs = deps.firstRecheckMs ?? recheckFirstMs;
  return {
    waitFor(commandIds, timeoutMs) {
      const unique = [...new Set(commandIds)];
      const found = new Map<string, CommandOutcome>();
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const rechecked = new Promise<OutcomeWait>((resolve) => {
        const startedAt = Date.now();
        const schedule = (delayMs: number) => {
          if (settled || Date.now() + delayMs - startedAt >= timeoutMs) return;
          timer = setTimeout(() => {
            const missing = unique.filter((id) => !found.has(id));
            deps.states(missing).then(
              (states) => {
                for (const [commandId, state] of states) {
                  if (state.status !== 'accepted') found.set(commandId, state);
                }
                if (found.size === unique.length) resolve({ outcomes: found, waited: true });
                else schedule(delayMs * 2);
              },
              () => schedule(delayMs * 2), // the store is down too: the push may still come
            );
          }, delayMs);
          timer.unref();
        };
        schedule(firstMs);
      });
      const pushed = deps.waiter.waitFor(unique, timeoutMs).then((wait) => {
        if (!wait.waited) return wait; // no push channel: the caller answers without waiting
        const outcomes = new Map([...found, ...wait.outcomes]);
        return { outcomes, waited: true };
      });
      return Promise.race([pushed, rechecked]).finally(() => {
        settled = true;
        clearTimeout(timer);
      });
    },
  };
}
