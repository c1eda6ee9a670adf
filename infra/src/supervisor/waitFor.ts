import { setTimeout as sleep } from 'node:timers/promises';
import { stackLimits } from '../stackLimits.ts';

export type WaitOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'stopped'; readonly reason: string };

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Checked before every probe: a reason ends the wait early (e.g. the process exited). */
  readonly stopWhen?: () => string | undefined;
}

/**
 * Polls a condition until it holds, the time budget is spent, or `stopWhen` gives a reason.
 * A probe that throws counts as "not yet": health probes fail while a part starts.
 */
export async function waitUntil(
  condition: () => Promise<boolean>,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? stackLimits.pollIntervalMs;
  for (;;) {
    const reason = options.stopWhen?.();
    if (reason !== undefined) return { kind: 'stopped', reason };
    let holds = false;
    try {
      holds = await condition();
    } catch {
      holds = false;
    }
    if (holds) return { kind: 'ok' };
    if (Date.now() + intervalMs > deadline) return { kind: 'timeout' };
    await sleep(intervalMs);
  }
}

/** One HTTP GET that answers `expectedStatus` within the probe timeout. */
export async function httpAnswers(url: string, expectedStatus = 200): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(stackLimits.probeTimeoutMs) });
    await response.body?.cancel();
    return response.status === expectedStatus;
  } catch {
    return false;
  }
}
