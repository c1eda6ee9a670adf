import type { Registry } from 'prom-client';

/** How long an integration test waits for a condition before failing (not a sleep). */
export const conditionTimeoutMs = 20_000;

/** Resolves once the service's own metrics show `pattern` (an in-process condition, no sleep). */
export async function waitForMetric(registry: Registry, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + conditionTimeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(await registry.metrics())) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`metrics never matched ${pattern.source}`);
}
