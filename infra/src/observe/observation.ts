/**
 * What a running Prometheus says about the stack, through its HTTP API: which targets are up,
 * whether every rule group loaded and evaluated without error, and which alerts fire.
 */
export interface Observation {
  readonly targets: readonly { service: string; health: string; lastError: string }[];
  readonly ruleGroups: number;
  readonly rules: number;
  /** Groups not evaluated yet (Prometheus evaluates each group first after one interval). */
  readonly unevaluatedGroups: readonly string[];
  readonly ruleErrors: readonly string[];
  readonly firing: readonly string[];
  readonly pending: readonly string[];
}

interface TargetsResponse {
  data: {
    activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
  };
}
interface RulesResponse {
  data: {
    groups: {
      name: string;
      lastEvaluation: string;
      rules: { name: string; health: string; lastError?: string }[];
    }[];
  };
}
interface AlertsResponse {
  data: { alerts: { labels: Record<string, string>; state: string }[] };
}

const neverEvaluated = '0001-01-01T00:00:00Z';

export async function observe(url: string): Promise<Observation> {
  const [targets, rules, alerts] = await Promise.all([
    getJson<TargetsResponse>(`${url}/api/v1/targets?state=active`),
    getJson<RulesResponse>(`${url}/api/v1/rules`),
    getJson<AlertsResponse>(`${url}/api/v1/alerts`),
  ]);
  const groups = rules.data.groups;
  const describeAlert = (labels: Record<string, string>) =>
    [labels.alertname, labels.service, labels.dependency, labels.group]
      .filter((part) => part !== undefined)
      .join(' ');
  return {
    targets: targets.data.activeTargets.map((target) => ({
      service: target.labels.service ?? target.labels.instance ?? '?',
      health: target.health,
      lastError: target.lastError,
    })),
    ruleGroups: groups.length,
    rules: groups.reduce((sum, group) => sum + group.rules.length, 0),
    unevaluatedGroups: groups
      .filter((group) => group.lastEvaluation.startsWith(neverEvaluated.slice(0, 10)))
      .map((group) => group.name),
    ruleErrors: groups.flatMap((group) =>
      group.rules
        .filter((rule) => rule.health === 'err')
        .map((rule) => `${rule.name}: ${rule.lastError ?? 'error'}`),
    ),
    firing: alerts.data.alerts
      .filter((alert) => alert.state === 'firing')
      .map((alert) => describeAlert(alert.labels)),
    pending: alerts.data.alerts
      .filter((alert) => alert.state === 'pending')
      .map((alert) => describeAlert(alert.labels)),
  };
}

/** Every target up and every group evaluated once: what `observe --check` waits for. */
export function isSettled(observation: Observation, expectedTargets: number): boolean {
  return (
    observation.targets.length === expectedTargets &&
    observation.targets.every((target) => target.health === 'up') &&
    observation.ruleGroups > 0 &&
    observation.unevaluatedGroups.length === 0
  );
}

/** Polls until settled or `timeoutMs` passed; returns the last observation either way. */
export async function waitUntilSettled(
  url: string,
  expectedTargets: number,
  timeoutMs: number,
  onProgress?: (observation: Observation) => void,
): Promise<Observation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const observation = await observe(url);
    onProgress?.(observation);
    if (isSettled(observation, expectedTargets) || Date.now() > deadline) return observation;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export function describeObservation(observation: Observation): string {
  const targets = observation.targets
    .map(
      ({ service, health, lastError }) =>
        `${service} ${health}${lastError ? ` (${lastError})` : ''}`,
    )
    .join(', ');
  return [
    `targets: ${targets || 'none'}`,
    `rules: ${observation.rules} in ${observation.ruleGroups} groups` +
      (observation.unevaluatedGroups.length > 0
        ? `, not evaluated yet: ${observation.unevaluatedGroups.join(', ')}`
        : ''),
    `rule errors: ${observation.ruleErrors.join('; ') || 'none'}`,
    `alerts firing: ${observation.firing.join(', ') || 'none'}` +
      (observation.pending.length > 0 ? ` (pending: ${observation.pending.join(', ')})` : ''),
  ].join('\n');
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}
