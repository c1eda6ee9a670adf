import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { waitUntil } from '@ledger/infra/supervisor/waitFor';
import { unpublishedOutboxCount } from '@ledger/ledger-processor/outboxPosition';
import { requestJsonRetrying } from '../load/httpJson.ts';
import { isReady, type StackSession } from '../stack/stackSession.ts';
import { servicesOfStack } from './faultGroups.ts';

/**
 * What the fault suite observes of the stack (runFaults.ts): readiness, a new transfer read back
 * at its version, the decisions of what the client was acknowledged, and the run's accounts.
 */

/** The run's accounts: enough that transfers spread over the partitions. */
export const accountsPerRun = 48;
/** Probes and readiness give up after this: a group that never recovers fails, not hangs. */
const recoveryGiveUpMs = 120_000;
const settleTimeoutMs = 120_000;
const readinessPollMs = 250;

/** Seconds from `fromMs` until `condition` holds; Infinity when it never did. */
export async function secondsUntil(
  fromMs: number,
  condition: () => Promise<boolean>,
): Promise<number> {
  const outcome = await waitUntil(condition, {
    timeoutMs: recoveryGiveUpMs - (Date.now() - fromMs),
    intervalMs: 200,
  });
  return outcome.kind === 'ok' ? (Date.now() - fromMs) / 1_000 : Number.POSITIVE_INFINITY;
}

/** Polls every service's /readyz until stopped, noting those that were not ready once. */
export function watchReadiness(stack: StackSession): { notReady: Set<string>; stop(): void } {
  const notReady = new Set<string>();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      await Promise.all(
        servicesOfStack.map(async (service) => {
          if (!(await isReady(stack.urls[service]))) notReady.add(service);
        }),
      );
      await sleep(readinessPollMs);
    }
  })();
  return {
    notReady,
    stop: () => {
      stopped = true;
    },
  };
}

export async function allReady(stack: StackSession): Promise<boolean> {
  const answers = await Promise.all(servicesOfStack.map((service) => isReady(stack.urls[service])));
  return answers.every(Boolean);
}

let probeSequence = 0;
/**
 * How long one probe may take to be decided: past the recovery bound, so a transfer sent at the
 * fault's end and applied in 9 s counts as 9 s, not as a failed attempt and the next one's time.
 */
const probeWaitSeconds = 15;

/** One new transfer with `Prefer: wait`, then its debit account read at the version it made. */
export async function probeVisible(
  stack: StackSession,
  accounts: readonly string[],
  idPrefix: string,
): Promise<boolean> {
  probeSequence += 1;
  const [from = '', to = ''] = [accounts[0], accounts[1]];
  const response = await fetch(`${stack.urls['command-api']}/v1/transfers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: `wait=${probeWaitSeconds}` },
    body: JSON.stringify({
      transferId: `${idPrefix}${probeSequence}`,
      fromAccountId: from,
      toAccountId: to,
      amount: '1',
      currency: 'USD',
    }),
    signal: AbortSignal.timeout((probeWaitSeconds + 5) * 1_000),
  });
  if (response.status !== 201) return false;
  const body = (await response.json()) as { versions: Record<string, number> };
  const version = body.versions[from];
  if (version === undefined) return false;
  const read = await fetch(
    `${stack.urls['query-api']}/v1/accounts/${encodeURIComponent(from)}/balance?minVersion=${version}&waitMs=3000`,
    { signal: AbortSignal.timeout(5_000) },
  );
  await read.arrayBuffer();
  return read.status === 200;
}

/** Waits until every acknowledged command has an outcome and the outbox is published. */
export async function settle(pool: pg.Pool, acknowledged: readonly string[]): Promise<void> {
  // The audit says what is still missing when this gives up.
  await waitUntil(
    async () => {
      const missing = await pool.query<{ n: string }>(
        `select count(*)::text as n from unnest($1::text[]) as c (id)
          where not exists (select 1 from command_outcomes o where o.command_id = c.id)`,
        [acknowledged],
      );
      return missing.rows[0]?.n === '0' && (await unpublishedOutboxCount(pool)) === 0;
    },
    { timeoutMs: settleTimeoutMs, intervalMs: 500 },
  );
}

/** A funding account and the run's accounts, each funded, through the API like any client. */
export async function seedAccounts(stack: StackSession, runPrefix: string): Promise<string[]> {
  const api = stack.urls['command-api'];
  const wait = { prefer: 'wait=10' };
  const funding = `${runPrefix}funding`;
  const open = async (accountId: string, overdraftLimit: string) => {
    const response = await requestJsonRetrying(
      'POST',
      `${api}/v1/accounts`,
      JSON.stringify({ accountId, currency: 'USD', overdraftLimit }),
      wait,
    );
    if (response.status !== 201) throw new Error(`opening ${accountId}: HTTP ${response.status}`);
  };
  await open(funding, '1000000000000000');
  const accounts = Array.from({ length: accountsPerRun }, (_, index) => `${runPrefix}a${index}`);
  for (const accountId of accounts) {
    await open(accountId, '0');
    const response = await requestJsonRetrying(
      'POST',
      `${api}/v1/transfers`,
      JSON.stringify({
        transferId: `${runPrefix}fund-${accountId}`,
        fromAccountId: funding,
        toAccountId: accountId,
        amount: '100000000',
        currency: 'USD',
      }),
      wait,
    );
    if (response.status !== 201) throw new Error(`funding ${accountId}: HTTP ${response.status}`);
  }
  return accounts;
}
