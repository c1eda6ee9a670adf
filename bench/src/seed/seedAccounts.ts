import { forEachConcurrently, requestJsonRetrying } from '../load/httpJson.ts';
import { bulkOpenAccounts } from './kafkaBulkOpen.ts';
import { fundingAmount, type AccountSet } from '../load/workload.ts';
import type { BenchContext } from '../scenarios/benchContext.ts';
import { sleep } from '../stack/stackSession.ts';

/**
 * Seeds an account set: a funding account with a large overdraft (POST /v1/accounts), N customer
 * accounts (OpenAccount commands bulk-produced to Kafka, kafkaBulkOpen.ts), each funded by one
 * transfer through the API (POST /v1/transfers/batch).
 * Ids are deterministic, so a set seeded by an earlier run is found and reused (a repeat of a
 * seed request would only be an idempotent replay anyway).
 */
export interface SeedResult {
  readonly set: string;
  readonly size: number;
  readonly reused: boolean;
  readonly seconds: number;
}

/** Far above what N × fundingAmount needs for the largest set (1M × 10^9). */
const fundingOverdraft = 10n ** 17n;
const fundBatchConcurrency = 4;
const fundBatchItems = 1_000;
/** Waiting for the ledger to decide the seed: generous, scaled by set size below. */
const seedDecidedPerSecondFloor = 500;

export async function seedAccountSet(context: BenchContext, set: AccountSet): Promise<SeedResult> {
  const startedAtMs = Date.now();
  const api = context.stack.urls['command-api'];
  const opened = await openedCount(context, set);
  let unfunded = opened >= set.size + 1 ? await unfundedAccounts(context, set) : undefined;
  if (unfunded?.length === 0) {
    console.log(`  seed ${set.name}: ${set.size} funded accounts already there, reused`);
    return { set: set.name, size: set.size, reused: true, seconds: 0 };
  }
  if (unfunded === undefined) {
    await openSet(context, set, api);
    unfunded = await unfundedAccounts(context, set);
  }
  // Fresh ids per run: an earlier attempt's funding transfer may have been decided (rejected)
  // already, and reusing its id would only replay that rejection.
  const batches = Math.ceil(unfunded.length / fundBatchItems);
  const toFund = unfunded;
  await forEachConcurrently(batches, fundBatchConcurrency, async (batch) => {
    const ids = toFund.slice(batch * fundBatchItems, (batch + 1) * fundBatchItems);
    const items = ids.map(
      (id) =>
        `{"transferId":"fund-${id}-${context.runTag}","fromAccountId":"${set.fundingId}",` +
        `"toAccountId":"${id}","amount":"${fundingAmount}","currency":"USD"}`,
    );
    const response = await requestJsonRetrying(
      'POST',
      `${api}/v1/transfers/batch`,
      `{"transfers":[${items.join(',')}]}`,
    );
    if (response.status !== 202) {
      throw new Error(
        `funding ${set.name}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`,
      );
    }
    context.timeline.noteAccepted(items.length);
  });
  console.log(`    seed ${set.name}: ${toFund.length} funding transfers accepted`);
  await waitFor(
    set,
    'funded',
    async () => set.size - (await unfundedAccounts(context, set)).length,
    set.size,
  );
  const seconds = (Date.now() - startedAtMs) / 1_000;
  console.log(
    `  seed ${set.name}: ${set.size} accounts opened and funded in ${seconds.toFixed(1)} s`,
  );
  return { set: set.name, size: set.size, reused: false, seconds };
}

/** The funding account through the API, the customer accounts in bulk through Kafka. */
async function openSet(context: BenchContext, set: AccountSet, api: string): Promise<void> {
  const funding = await requestJsonRetrying(
    'POST',
    `${api}/v1/accounts`,
    JSON.stringify({
      accountId: set.fundingId,
      currency: 'USD',
      overdraftLimit: fundingOverdraft.toString(),
    }),
    { prefer: 'wait=30' },
  );
  if (funding.status !== 201 && funding.status !== 200 && funding.status !== 202) {
    throw new Error(
      `opening ${set.fundingId}: HTTP ${funding.status} ${JSON.stringify(funding.body)}`,
    );
  }
  let produced = 0;
  const progress = setInterval(
    () => console.log(`    seed ${set.name}: ${produced}/${set.size} open commands produced`),
    5_000,
  );
  try {
    await bulkOpenAccounts({
      stack: context.stack.config,
      accountIds: (index) => set.accountId(index),
      count: set.size,
      onProgress: (count) => (produced = count),
    });
  } finally {
    clearInterval(progress);
  }
  context.timeline.noteAccepted(set.size + 1);
  await waitFor(set, 'opened', () => openedCount(context, set), set.size + 1);
}

async function waitFor(
  set: AccountSet,
  what: string,
  count: () => Promise<number>,
  expected: number,
): Promise<void> {
  const timeoutMs = Math.max(180_000, (expected / seedDecidedPerSecondFloor) * 1_000);
  const deadline = Date.now() + timeoutMs;
  let lastPrintMs = Date.now();
  for (;;) {
    const current = await count();
    if (current >= expected) return;
    if (Date.now() > deadline) {
      throw new Error(
        `seed ${set.name}: only ${current}/${expected} ${what} after ${timeoutMs} ms`,
      );
    }
    if (Date.now() - lastPrintMs > 5_000) {
      console.log(`    seed ${set.name}: ${current}/${expected} ${what} in the ledger`);
      lastPrintMs = Date.now();
    }
    await sleep(1_000);
  }
}

/** Accounts of the set (funding included) that the ledger opened. */
async function openedCount(context: BenchContext, set: AccountSet): Promise<number> {
  const result = await context.ledgerPool.query<{ n: string }>(
    'select count(*)::text as n from accounts where id >= $1 and id < $2',
    [`${set.name}-`, `${set.name}.`],
  );
  return Number(result.rows[0]?.n ?? 0);
}

/** Customer accounts of the set with no posted transfer from the set's funding account. */
async function unfundedAccounts(context: BenchContext, set: AccountSet): Promise<string[]> {
  const result = await context.ledgerPool.query<{ id: string }>(
    `select a.id from accounts a
      where a.id >= $1 and a.id < $2 and a.id <> $3
        and not exists (
          select 1 from postings p join transfers t on t.transfer_id = p.transfer_id
           where p.account_id = a.id and t.from_account_id = $3 and t.status = 'posted')
      order by a.id`,
    [`${set.name}-`, `${set.name}.`, set.fundingId],
  );
  return result.rows.map((row) => row.id);
}
