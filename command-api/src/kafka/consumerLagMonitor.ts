import { readConsumerLag, type LagAdmin, type Logger } from '@ledger/runtime';
import type { LagGauge } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';

/** How often the lag is read: one ListOffsets + one OffsetFetch per interval. */
export const lagPollIntervalMs = 2_000;
/** A reading older than this many intervals is stale: shedding on stale data would be a guess. */
export const lagStaleIntervals = 3;

export interface ConsumerLagMonitorOptions {
  readonly admin: LagAdmin;
  readonly groupId: string;
  readonly topic: string;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly intervalMs?: number;
}

export interface ConsumerLagMonitor extends LagGauge {
  /** Reads the lag once (the periodic loop calls this); undefined when it could not be read. */
  refresh(): Promise<number | undefined>;
  start(): void;
  /** Stops the loop and waits for a read in flight, so the admin client can be disconnected. */
  stop(): Promise<void>;
}

/**
 * The ledger processor's lag on the commands topic, summed over partitions (readConsumerLag),
 * polled so that admission can shed load on it between scrapes.
 */
export function createConsumerLagMonitor(options: ConsumerLagMonitorOptions): ConsumerLagMonitor {
  const intervalMs = options.intervalMs ?? lagPollIntervalMs;
  let lastLag: number | undefined;
  let lastReadAtMs = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let lastFailure = '';
  let reading: Promise<number | undefined> | undefined;

  // A read racing admin.disconnect() would reconnect a broker socket and keep the process alive.
  const refresh = (): Promise<number | undefined> => {
    const read = readLag().finally(() => {
      if (reading === read) reading = undefined;
    });
    reading = read;
    return read;
  };

  const readLag = async (): Promise<number | undefined> => {
    try {
      const lags = await readConsumerLag(options.admin, options.groupId, options.topic);
      const lag = lags.reduce((sum, { lag: behind }) => sum + behind, 0);
      lastLag = lag;
      lastReadAtMs = options.now();
      lastFailure = '';
      options.metrics.consumerLag.set(lastLag);
      return lastLag;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastFailure) {
        options.logger.warn('could not read the processor consumer lag', { error: message });
        lastFailure = message;
      }
      return undefined;
    }
  };

  const loop = () => {
    void refresh().finally(() => {
      if (running) timer = setTimeout(loop, intervalMs).unref();
    });
  };

  return {
    currentLag() {
      if (options.now() - lastReadAtMs > intervalMs * lagStaleIntervals) return undefined;
      return lastLag;
    },
    refresh,
    start() {
      if (running) return;
      running = true;
      loop();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await reading;
    },
  };
}
