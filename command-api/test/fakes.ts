import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  answerClientErrors,
  createApiKeys,
  createLogger,
  startTracing,
  type Logger,
} from '@ledger/runtime';
import { Registry } from 'prom-client';
import { createApp } from '../src/app.ts';
import type {
  AcceptRecord,
  ClaimResult,
  CommandApiDeps,
  CommandOutcome,
  CommandPublisher,
  CommandState,
  CommandToPublish,
  DecidedTransfer,
  IdempotencyClaim,
  IdempotencyStore,
  LagGauge,
  LedgerDecision,
  OutcomeWait,
  OutcomeWaiter,
  RateDecision,
  RateLimiter,
  TransferLookup,
} from '../src/appDeps.ts';
import { sequentialIds } from './testSupport.ts';

/** In-memory stand-ins for OUR interfaces (never for kafkajs, ioredis or pg). */
export class FakePublisher implements CommandPublisher {
  readonly topic = 'ledger.commands';
  readonly published: CommandToPublish[] = [];
  failWith: Error | undefined;
  /** Called after a publish "acks": a test's stand-in for the processor deciding. */
  onPublished: (commands: readonly CommandToPublish[]) => void = () => {};
  publish(commands: readonly CommandToPublish[]): Promise<void> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.published.push(...commands);
    this.onPublished(commands);
    return Promise.resolve();
  }
}

export class FakeIdempotency implements IdempotencyStore {
  readonly keys = new Map<string, AcceptRecord>();
  readonly confirmed = new Set<string>();
  readonly outcomes = new Map<string, CommandOutcome>();
  failing = false;
  /** As with Redis down: claims see only the keys already there, hold nothing, are unverified. */
  unheld = false;
  /** The fake ledger's decisions, by command id, that `settle` finds. */
  readonly decisions = new Map<string, LedgerDecision>();
  /** Command ids `settle` was asked about. */
  readonly settled: string[] = [];
  claim(claims: readonly IdempotencyClaim[]): Promise<readonly ClaimResult[]> {
    if (this.failing) return Promise.reject(new Error('store down'));
    return Promise.resolve(
      claims.map(({ scope, key, record }) => {
        const previous = this.keys.get(`${scope}:${key}`);
        if (previous === undefined && !this.unheld) this.keys.set(`${scope}:${key}`, record);
        return { previous, verified: previous !== undefined || !this.unheld };
      }),
    );
  }
  settle(claims: readonly IdempotencyClaim[]): Promise<ReadonlyMap<string, LedgerDecision>> {
    const found = new Map<string, LedgerDecision>();
    for (const { record } of claims) {
      this.settled.push(record.commandId);
      const decision = this.decisions.get(record.commandId);
      if (decision !== undefined) found.set(record.commandId, decision);
    }
    return Promise.resolve(found);
  }
  confirm(claims: readonly IdempotencyClaim[]): Promise<void> {
    for (const claim of claims) this.confirmed.add(claim.record.commandId);
    return Promise.resolve();
  }
  release(claims: readonly IdempotencyClaim[]): Promise<void> {
    for (const { scope, key, record } of claims) {
      if (this.keys.get(`${scope}:${key}`)?.commandId === record.commandId)
        this.keys.delete(`${scope}:${key}`);
    }
    return Promise.resolve();
  }
  states(commandIds: readonly string[]): Promise<ReadonlyMap<string, CommandState>> {
    const states = new Map<string, CommandState>();
    for (const commandId of commandIds) {
      const outcome = this.outcomes.get(commandId);
      if (outcome !== undefined) states.set(commandId, outcome);
      else if (this.confirmed.has(commandId))
        states.set(commandId, { status: 'accepted', commandId });
    }
    return Promise.resolve(states);
  }
}

/** Answers a wait at once with what the fake processor decided (as if the push had arrived). */
export class FakeOutcomes implements OutcomeWaiter {
  available = true;
  readonly waits: { commandIds: readonly string[]; timeoutMs: number }[] = [];
  constructor(private readonly decided: Map<string, CommandOutcome>) {}
  waitFor(commandIds: readonly string[], timeoutMs: number): Promise<OutcomeWait> {
    this.waits.push({ commandIds, timeoutMs });
    if (!this.available) return Promise.resolve({ outcomes: new Map(), waited: false });
    const outcomes = new Map<string, CommandOutcome>();
    for (const commandId of commandIds) {
      const outcome = this.decided.get(commandId);
      if (outcome !== undefined) outcomes.set(commandId, outcome);
    }
    return Promise.resolve({ outcomes, waited: true });
  }
}

/** Decided transfers by id, as the ledger's transfers table would answer. */
export class FakeTransfers implements TransferLookup {
  readonly decided = new Map<string, DecidedTransfer>();
  find(transferId: string): Promise<DecidedTransfer | undefined> {
    return Promise.resolve(this.decided.get(transferId));
  }
}

export class FakeRateLimiter implements RateLimiter {
  readonly counts = new Map<string, number>();
  limit = Number.MAX_SAFE_INTEGER;
  failing = false;
  take(clientKey: string): Promise<RateDecision> {
    if (this.failing) return Promise.reject(new Error('redis down'));
    const count = (this.counts.get(clientKey) ?? 0) + 1;
    this.counts.set(clientKey, count);
    return Promise.resolve(
      count > this.limit ? { allowed: false, retryAfterSeconds: 7 } : { allowed: true },
    );
  }
}

export class FakeLagGauge implements LagGauge {
  lag: number | undefined = undefined;
  currentLag(): number | undefined {
    return this.lag;
  }
}

export interface TestApp {
  readonly baseUrl: string;
  readonly publisher: FakePublisher;
  readonly idempotency: FakeIdempotency;
  readonly outcomes: FakeOutcomes;
  readonly transfers: FakeTransfers;
  readonly rateLimiter: FakeRateLimiter;
  readonly lagGauge: FakeLagGauge;
  readonly logLines: string[];
  readonly registry: Registry;
  close(): Promise<void>;
}

export async function startTestApp(
  overrides: Partial<
    Pick<CommandApiDeps, 'options' | 'isAccepting' | 'apiKeys' | 'rateLimiter'>
  > & {
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  startTracing('command-api'); // as runService does: traceparents come from the SDK's propagator
  const publisher = new FakePublisher();
  const idempotency = new FakeIdempotency();
  const outcomes = new FakeOutcomes(idempotency.outcomes);
  const transfers = new FakeTransfers();
  const rateLimiter = new FakeRateLimiter();
  const lagGauge = new FakeLagGauge();
  const logLines: string[] = [];
  const registry = new Registry();
  const logger =
    overrides.logger ?? createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const app = createApp({
    publisher,
    idempotency,
    outcomes,
    transfers,
    rateLimiter: overrides.rateLimiter ?? rateLimiter,
    apiKeys: overrides.apiKeys ?? createApiKeys({}),
    lagGauge,
    registry,
    logger,
    clock: { now: () => 1_767_000_000_000 },
    ids: sequentialIds('id'),
    readiness: [],
    options: {
      consumerLagMax: 100_000,
      overloadedRetryAfterSeconds: 2,
      trustProxy: false,
      ...overrides.options,
    },
    ...(overrides.isAccepting === undefined ? {} : { isAccepting: overrides.isAccepting }),
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  answerClientErrors(server, logger); // as wiring.ts does
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    publisher,
    idempotency,
    outcomes,
    transfers,
    rateLimiter,
    lagGauge,
    logLines,
    registry,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
