import { fetchMetrics, metricSum, metricSumMatching, type MetricSamples } from './promText.ts';

/**
 * Once a second, what the whole system did: the processor's decided and published counters, the
 * command API's view of consumer lag, query-api's cache counters and RSS, and what the load
 * generator saw. Scenarios mark phases so plots show which scenario produced which stretch.
 */
export interface TimelinePoint {
  readonly tMs: number;
  readonly phase: string | undefined;
  /** Responses the load generator received in the last second (all statuses). */
  readonly httpPerSecond: number;
  /** Commands the bench had accepted so far (202 items). */
  readonly accepted: number;
  /** Processor counters (cumulative, since the processor started). */
  readonly decided: number | undefined;
  readonly published: number | undefined;
  /** command_api_processor_consumer_lag_messages: the processor group's lag as the API reads it. */
  readonly lagGauge: number | undefined;
  readonly cacheHits: number | undefined;
  readonly cacheMisses: number | undefined;
  readonly queryRssBytes: number | undefined;
  /** Processor transactions: how many, their commands and seconds (cumulative histogram sums). */
  readonly transactions: number | undefined;
  readonly transactionCommands: number | undefined;
  readonly transactionSeconds: number | undefined;
  /** Seconds spent in each step of the processor's transactions, by phase (cumulative). */
  readonly transactionPhaseSeconds: Readonly<Record<TransactionPhase, number>> | undefined;
}

/** The steps of ledger_processor_transaction_phase_seconds, in the order a transaction runs them. */
export const transactionPhases = [
  'lock_offsets',
  'snapshot',
  'decide',
  'chain',
  'write',
  'commit',
] as const;
export type TransactionPhase = (typeof transactionPhases)[number];

export interface Phase {
  readonly name: string;
  readonly startMs: number;
  endMs: number | undefined;
}

export interface TimelineSources {
  readonly processorUrl: string;
  readonly commandApiUrl: string;
  readonly queryApiUrl: string;
}

/** Sampling period; also the resolution of every time plot. */
export const sampleIntervalMs = 1_000;
/** Bounds memory for a run that goes wrong: two hours of samples. */
const pointsMax = 7_200;

export class Timeline {
  readonly points: TimelinePoint[] = [];
  readonly phases: Phase[] = [];
  private accepted = 0;
  private httpSinceLastSample = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;

  constructor(private readonly sources: TimelineSources) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), sampleIntervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.closePhase();
  }

  /** Starts a named phase (closing the previous one); returns a function that closes it. */
  phase(name: string): () => void {
    this.closePhase();
    const phase: Phase = { name, startMs: Date.now(), endMs: undefined };
    this.phases.push(phase);
    return () => {
      if (phase.endMs === undefined) phase.endMs = Date.now();
    };
  }

  noteAccepted(count: number): void {
    this.accepted += count;
  }

  noteHttp(responses: number): void {
    this.httpSinceLastSample += responses;
  }

  /** For a client without per-second ticks (wrk): its average rate over the seconds it ran. */
  backfillHttp(startMs: number, endMs: number, perSecond: number): void {
    this.points.forEach((point, index) => {
      if (point.tMs > startMs && point.tMs <= endMs)
        this.points[index] = { ...point, httpPerSecond: perSecond };
    });
  }

  private closePhase(): void {
    const last = this.phases.at(-1);
    if (last !== undefined && last.endMs === undefined) last.endMs = Date.now();
  }

  private async sample(): Promise<void> {
    if (this.sampling || this.points.length >= pointsMax) return;
    this.sampling = true;
    try {
      const tMs = Date.now();
      const httpPerSecond = this.httpSinceLastSample;
      this.httpSinceLastSample = 0;
      const [processor, commandApi, queryApi] = await Promise.all([
        fetchMetrics(this.sources.processorUrl),
        fetchMetrics(this.sources.commandApiUrl),
        fetchMetrics(this.sources.queryApiUrl),
      ]);
      const current = this.phases.at(-1);
      this.points.push({
        tMs,
        phase: current?.endMs === undefined ? current?.name : undefined,
        httpPerSecond,
        accepted: this.accepted,
        decided: processor && metricSum(processor, 'ledger_processor_commands_decided_total'),
        published: processor && metricSum(processor, 'ledger_processor_outbox_published_total'),
        lagGauge:
          commandApi && metricSum(commandApi, 'command_api_processor_consumer_lag_messages'),
        cacheHits: queryApi && cacheCount(queryApi, 'hit'),
        cacheMisses: queryApi && cacheCount(queryApi, 'miss'),
        queryRssBytes: queryApi && metricSum(queryApi, 'process_resident_memory_bytes'),
        transactions: processor && metricSum(processor, 'ledger_processor_batch_seconds_count'),
        transactionCommands:
          processor && metricSum(processor, 'ledger_processor_batch_commands_sum'),
        transactionSeconds: processor && metricSum(processor, 'ledger_processor_batch_seconds_sum'),
        transactionPhaseSeconds: processor && phaseSeconds(processor),
      });
    } finally {
      this.sampling = false;
    }
  }
}

function phaseSeconds(samples: MetricSamples): Record<TransactionPhase, number> | undefined {
  const entries = transactionPhases.map((phase) => [
    phase,
    metricSum(samples, 'ledger_processor_transaction_phase_seconds_sum', `phase="${phase}"`),
  ]);
  if (entries.some(([, seconds]) => seconds === undefined)) return undefined;
  return Object.fromEntries(entries) as Record<TransactionPhase, number>;
}

/** query_api_cache_requests_total{result=…}, else any counter named like a cache hit / miss. */
function cacheCount(samples: MetricSamples, result: 'hit' | 'miss'): number | undefined {
  return (
    metricSum(samples, 'query_api_cache_requests_total', `result="${result}"`) ??
    metricSumMatching(
      samples,
      result === 'hit' ? /cache.*_hits?(_total)?$/ : /cache.*_miss(es)?(_total)?$/,
    )
  );
}
