import type { NextFunction, Request, Response } from 'express';
import { LedgerError, type Logger } from '@ledger/runtime';
import type { LagGauge, RateLimiter } from '../appDeps.ts';
import type { CommandApiMetrics } from '../commandApiMetrics.ts';
import { clientKeyOf } from './authMiddleware.ts';
import { contextOf } from './requestContext.ts';

/**
 * Per-client rate limit (429 + Retry-After), by API key or, with keys off, by address. The
 * shared limiter (runtime's rateLimiter.ts) falls back to a local one while Redis is down, counted
 * as `command_api_redis_degraded_total{operation="rate_limit"}`; should it ever fail outright,
 * the request passes: a broken limiter must never turn into failed commands.
 */
export function rateLimitMiddleware(deps: {
  readonly rateLimiter: RateLimiter;
  readonly metrics: CommandApiMetrics;
}) {
  return function rateLimit(request: Request, response: Response, next: NextFunction): void {
    deps.rateLimiter.take(clientKeyOf(request, response)).then(
      (decision) => {
        if (decision.allowed) {
          next();
          return;
        }
        deps.metrics.rateLimited.inc();
        next(
          new LedgerError('rate_limited', 'too many requests from this client; retry later', {
            retryAfterSeconds: decision.retryAfterSeconds,
          }),
        );
      },
      (error: unknown) => {
        deps.metrics.redisDegraded.inc({ operation: 'rate_limit' });
        contextOf(response).log.warn('rate limiter failed: letting the request through', { error });
        next();
      },
    );
  };
}

/**
 * Load shedding before any work is done: when the processor is behind by more than the bound,
 * new commands would only queue in Kafka and time out their waits, so say 503 early instead.
 * Also refuses new commands while draining on SIGTERM.
 */
export function loadSheddingMiddleware(deps: {
  readonly lagGauge: LagGauge;
  readonly consumerLagMax: number;
  readonly retryAfterSeconds: number;
  readonly isAccepting: () => boolean;
  readonly metrics: CommandApiMetrics;
  readonly logger: Logger;
}) {
  return function shedLoad(_request: Request, _response: Response, next: NextFunction): void {
    if (!deps.isAccepting()) {
      next(
        new LedgerError('overloaded', 'this instance is shutting down; retry', {
          retryAfterSeconds: 1,
        }),
      );
      return;
    }
    const lag = deps.lagGauge.currentLag();
    if (lag !== undefined && lag > deps.consumerLagMax) {
      deps.metrics.shed.inc({ reason: 'consumer_lag' });
      next(
        new LedgerError(
          'overloaded',
          `the ledger processor is ${lag} commands behind; retry later`,
          {
            retryAfterSeconds: deps.retryAfterSeconds,
          },
        ),
      );
      return;
    }
    next();
  };
}
