import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../load/workload.ts';

/**
 * The fault suite's client: single transfers between the run's accounts at a steady pace, each
 * retried with the same body (so the same transferId and idempotency key) on a network error,
 * 429 or 5xx, as docs/contract.md asks of a client, until acknowledged or `attemptWindowMs` passed. It
 * records what the API acknowledged, for the audit, and the longest a transfer waited for its
 * acknowledgement: the pause a client saw.
 */
export interface TrafficResult {
  /** commandIds the API acknowledged (202/201), for "nothing lost". */
  readonly acknowledged: readonly string[];
  /** Transfers never acknowledged within the window (may still be applied: the ack was lost). */
  readonly unacknowledged: number;
  readonly retries: number;
  readonly replayed: number;
  /** Longest time from a transfer's first attempt to its acknowledgement, in seconds. */
  readonly longestWaitSeconds: number;
  /** Answers refused for good (4xx other than 429): a bug of the suite or of the API. */
  readonly refused: readonly string[];
}

export interface Traffic {
  stop(): Promise<TrafficResult>;
}

/** Transfers started per second; low enough to leave the 2 cores to the recovery under test. */
export const faultTrafficPerSecond = 60;
/** How long one transfer is retried before it counts as unacknowledged. */
export const attemptWindowMs = 60_000;
const requestTimeoutMs = 10_000;
const retryDelayMsMax = 1_000;
/** Transfers in flight at most: a stalled API must not grow the client without bound. */
const inFlightMax = 200;

export function startTraffic(options: {
  readonly commandApiUrl: string;
  readonly accountIds: readonly string[];
  readonly idPrefix: string;
  readonly seed: number;
  readonly headers?: Record<string, string>;
}): Traffic {
  const random = seededRandom(options.seed);
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let unacknowledged = 0;
  let retries = 0;
  let replayed = 0;
  let longestWaitMs = 0;
  let sequence = 0;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();

  async function send(body: string): Promise<void> {
    const startedAt = Date.now();
    let delayMs = 50;
    while (Date.now() - startedAt < attemptWindowMs) {
      try {
        const response = await fetch(`${options.commandApiUrl}/v1/transfers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body,
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        const text = await response.text();
        if (response.status === 202 || response.status === 201) {
          const { commandId } = JSON.parse(text) as { commandId: string };
          acknowledged.push(commandId);
          if (response.headers.get('idempotent-replayed') === 'true') replayed += 1;
          longestWaitMs = Math.max(longestWaitMs, Date.now() - startedAt);
          return;
        }
        if (response.status !== 429 && response.status < 500) {
          refused.push(`${response.status} ${text.slice(0, 200)}`);
          return;
        }
      } catch {
        // connection refused or reset, timeout: the API restarts; retried below
      }
      retries += 1;
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, retryDelayMsMax);
    }
    unacknowledged += 1;
  }

  const pacer = (async () => {
    const intervalMs = 1_000 / faultTrafficPerSecond;
    const startedAt = Date.now();
    while (!stopping) {
      if (inFlight.size < inFlightMax) {
        const from = Math.floor(random() * options.accountIds.length);
        let to = Math.floor(random() * options.accountIds.length);
        if (to === from) to = (from + 1) % options.accountIds.length;
        sequence += 1;
        const body = JSON.stringify({
          transferId: `${options.idPrefix}${sequence}`,
          fromAccountId: options.accountIds[from],
          toAccountId: options.accountIds[to],
          amount: String(1 + Math.floor(random() * 100)),
          currency: 'USD',
        });
        const running = send(body).finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
      const nextAt = startedAt + sequence * intervalMs;
      await sleep(Math.max(1, nextAt - Date.now()));
    }
  })();

  return {
    async stop() {
      stopping = true;
      await pacer;
      await Promise.all([...inFlight]);
      return {
        acknowledged,
        unacknowledged,
        retries,
        replayed,
        longestWaitSeconds: longestWaitMs / 1_000,
        refused,
      };
    },
  };
}
