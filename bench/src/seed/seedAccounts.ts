import { forEachConcurrently, requestJsonRetrying, setupAttemptsMax } from '../load/httpJson.ts';
import { bulkOpenAccounts } from './kafkaBulkOpen.ts';
import {
  acceptedBatchItems,
  unacceptedBatchItems,
  type BenchContext,
} from '../scenarios/benchContext.ts';
import { fundingAmount, type AccountSet } from '../load/workload.ts';
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
/**
 * One funding batch at a time: every funding transfer has the same key (the funding account), so
 * concurrent batches land in one partition and the command API coalesces them into one Kafka
 * record batch, which past 1 MiB the broker refuses (seen: 503 "message larger than the max").
 */
const fundBatchConcurrency = 1;
const fundBatchItems = 1_000;
/** Waiting for the ledger to decide the seed: generous, scaled by set size below. */
const seedDecidedPerSecondFloor = 500;
/** No progress for this long: what is missing is not coming (lost or rejected). */
const seedStallMs = 30_000;
/** Funding attempts for accounts whose funding never got decided. */
const fundingRoundsMax = 3;

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
  // Fresh ids per run and round: an earlier attempt's funding transfer may have been decided
  // (rejected) already, and reusing its id would only replay that. (Rounds also covered a command
  // API bug this bench found: a publish that failed left its idempotency claim behind, so the
  // retry's items came back `invalid` with a 503 "still being accepted" for a day.)
  for (let round = 1; unfunded.length > 0; round += 1) {
    if (round > fundingRoundsMax) {
      throw new Error(
        `seed ${set.name}: ${unfunded.length} accounts still unfunded after ${fundingRoundsMax} rounds`,
      );
    }
    if (round > 1) {
      console.log(
        `    seed ${set.name}: ${unfunded.length} accepted fundings never got decided: funding again with new ids (the audit counts the lost ones)`,
      );
    }
    await fundAccounts(context, set, api, unfunded, `${context.runTag}-${round}`);
    await waitFor(
      set,
      'funded',
      async () => set.size - (await unfundedCount(context, set)),
      set.size,
    );
    unfunded = await unfundedAccounts(context, set);
  }
  await refreshPlannerStatistics(context);
  const seconds = (Date.now() - startedAtMs) / 1_000;
  console.log(
    `  seed ${set.name}: ${set.size} accounts opened and funded in ${seconds.toFixed(1)} s`,
  );
  return { set: set.name, size: set.size, reused: false, seconds };
}

/**
 * ANALYZE the ledger's tables after a seed changed their size by up to millions of rows. Without
 * fresh statistics (this machine's Postgres runs with autovacuum off, so nothing else gathers
 * them) the planner guessed ~200 groups for 1M accounts and picked hash plans sized for that.
 * ANALYZE samples a fixed number of rows per table: seconds, whatever the size.
 */
async function refreshPlannerStatistics(context: BenchContext): Promise<void> {
  await context.ledgerPool.query('analyze accounts, postings, transfers, command_outcomes, outbox');
}

/** One funding transfer per account through the batch endpoint; accepted ids go to the audit. */
async function fundAccounts(
  context: BenchContext,
  set: AccountSet,
  api: string,
  accountIds: readonly string[],
  idSuffix: string,
): Promise<void> {
  const batches = Math.ceil(accountIds.length / fundBatchItems);
  await forEachConcurrently(batches, fundBatchConcurrency, async (batch) => {
    const ids = accountIds.slice(batch * fundBatchItems, (batch + 1) * fundBatchItems);
    let items = ids.map(
      (id) =>
        `{"transferId":"fund-${id}-${idSuffix}","fromAccountId":"${set.fundingId}",` +
        `"toAccountId":"${id}","amount":"${fundingAmount}","currency":"USD"}`,
    );
    // A 202 batch can still hold items that were not accepted: resend the retriable ones (same
    // ids, so idempotent), fail on the others; reading only the HTTP status lost them silently.
    for (let attempt = 1; items.length > 0; attempt += 1) {
      const response = await requestJsonRetrying(
        'POST',
        `${api}/v1/transfers/batch`,
        `{"transfers":[${items.join(',')}]}`,
      );
      const body = JSON.stringify(response.body);
      if (response.status !== 202)
        throw new Error(`funding ${set.name}: HTTP ${response.status} ${body.slice(0, 300)}`);
      const accepted = acceptedBatchItems(body);
      context.accepted.add(`seed ${set.name}`, accepted);
      context.timeline.noteAccepted(accepted.length);
      const { retriable, refused } = unacceptedBatchItems(body);
      if (refused.length > 0 || (retriable.length > 0 && attempt >= setupAttemptsMax)) {
        throw new Error(
          `funding ${set.name}: ${refused.length} items refused, ${retriable.length} still ` +
            `retriable after ${attempt} attempts: ${JSON.stringify(refused).slice(0, 300)}`,
        );
      }
      const sent = items;
      items = retriable.map((index) => sent[index] as string);
      if (items.length > 0) await sleep(1_000 * attempt); // the problems' Retry-After is 1 s
    }
  });
  console.log(`    seed ${set.name}: ${accountIds.length} funding transfers sent`);
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
  const opened = await openedCount(context, set);
  if (opened < set.size + 1)
    throw new Error(`seed ${set.name}: only ${opened}/${set.size + 1} accounts opened`);
}

/** Returns when `count` reaches `expected` or stops rising for `seedStallMs`; throws past the time bound. */
async function waitFor(
  set: AccountSet,
  what: string,
  count: () => Promise<number>,
  expected: number,
): Promise<void> {
  const timeoutMs = Math.max(180_000, (expected / seedDecidedPerSecondFloor) * 1_000);
  const deadline = Date.now() + timeoutMs;
  let lastPrintMs = Date.now();
  let best = -1;
  let bestAtMs = Date.now();
  for (;;) {
    const current = await count();
    if (current >= expected) return;
    if (current > best) {
      best = current;
      bestAtMs = Date.now();
    } else if (Date.now() - bestAtMs > seedStallMs) {
      return;
    }
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

/**
 * Customer accounts of the set that no posting has touched yet (version 1): funding is the
 * first posting of every customer account, and no scenario runs on a set before it is funded.
 * The earlier anti-join over postings ⋈ transfers planned as a parallel hash join whose workers
 * grew to 6.7 GB each at 1M accounts; the kernel killed one, and Postgres restarted mid-run.
 * This reads the accounts' primary-key range only.
 */
async function unfundedAccounts(context: BenchContext, set: AccountSet): Promise<string[]> {
  const result = await context.ledgerPool.query<{ id: string }>(
    `select id from accounts where ${unfundedWhere} order by id`,
    [`${set.name}-`, `${set.name}.`, set.fundingId],
  );
  return result.rows.map((row) => row.id);
}

/** The same range read, counted: the once-a-second progress poll need not ship up to 1M ids. */
async function unfundedCount(context: BenchContext, set: AccountSet): Promise<number> {
  const result = await context.ledgerPool.query<{ n: string }>(
    `select count(*)::text as n from accounts where ${unfundedWhere}`,
    [`${set.name}-`, `${set.name}.`, set.fundingId],
  );
  return Number(result.rows[0]?.n ?? 0);
}

const unfundedWhere = 'id >= $1 and id < $2 and id <> $3 and version = 1';
