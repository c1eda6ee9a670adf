import { unpublishedOutboxCount } from '@ledger/ledger-processor/outboxPosition';
import type pg from 'pg';

/**
 * The end-of-run audit: the invariants of docs/architecture.md over what the run did and over the
 * whole schema.
 * - nothing lost: every command id the API accepted (202) has a row in command_outcomes;
 * - nothing doubled: each of the run's posted transfers has exactly 2 postings (rejected: 0),
 *   no transfer was applied by two commands, versions are gapless 1..n per account;
 * - conservation: postings sum to 0, balances sum to 0 (all funding is internal), no account
 *   below −overdraftLimit, each balance equals its postings and its last balance_after;
 * - published: nothing left unsent in the outbox.
 */
export interface AuditCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface AuditResult {
  readonly schema: string;
  readonly checks: readonly AuditCheck[];
  readonly ok: boolean;
  readonly seconds: number;
}

/** Ids sent to Postgres per query: big enough to be few queries, small enough for one packet. */
const idsPerQuery = 20_000;

export async function auditSchema(
  pool: pg.Pool,
  options: {
    schema: string;
    runPrefix: string;
    acceptedCommandIds?: readonly string[];
    hasOutbox: boolean;
  },
): Promise<AuditResult> {
  const startedAtMs = Date.now();
  const checks: AuditCheck[] = [];
  const value = async (sql: string, params: unknown[] = []): Promise<string> => {
    const result = await pool.query<{ v: string | null }>(sql, params);
    return result.rows[0]?.v ?? '0';
  };
  const range = [options.runPrefix, prefixEnd(options.runPrefix)];

  if (options.acceptedCommandIds !== undefined) {
    const ids = options.acceptedCommandIds;
    let lost = 0;
    for (let start = 0; start < ids.length; start += idsPerQuery) {
      lost += Number(
        await value(
          `select count(*)::text as v from unnest($1::text[]) as c (id)
            where not exists (select 1 from command_outcomes o where o.command_id = c.id)`,
          [ids.slice(start, start + idsPerQuery)],
        ),
      );
    }
    checks.push({
      name: 'nothing lost',
      ok: lost === 0,
      detail: `${ids.length} accepted commands, ${lost} without an outcome`,
    });
  }

  const runTransfers = Number(
    await value(
      'select count(*)::text as v from transfers where transfer_id >= $1 and transfer_id < $2',
      range,
    ),
  );
  const wrongLegs = await value(
    `select count(*)::text as v from transfers t
      where t.transfer_id >= $1 and t.transfer_id < $2
        and (select count(*) from postings p where p.transfer_id = t.transfer_id)
            <> case when t.status = 'posted' then 2 else 0 end`,
    range,
  );
  checks.push({
    name: 'postings per transfer',
    ok: wrongLegs === '0',
    detail: `${runTransfers} transfers of this run, ${wrongLegs} without exactly 2 postings (posted) or 0 (rejected)`,
  });
  const doubled = await value(
    `select count(*)::text as v from (
       select subject_id from command_outcomes
        where kind = 'transfer' and status = 'applied' and replay_of is null
          and subject_id >= $1 and subject_id < $2
        group by subject_id having count(*) > 1) d`,
    range,
  );
  checks.push({
    name: 'applied once',
    ok: doubled === '0',
    detail: `${doubled} transfers applied by more than one command`,
  });

  const postingsSum = await value('select coalesce(sum(amount), 0)::text as v from postings');
  checks.push({ name: 'postings sum to 0', ok: postingsSum === '0', detail: `sum ${postingsSum}` });
  // One pass over accounts (1M rows at full size) for its three figures.
  const totals = await pool.query<{ balances: string; overdrawn: string; accounts: string }>(
    `select coalesce(sum(balance), 0)::text as balances,
            (count(*) filter (where balance < -overdraft_limit))::text as overdrawn,
            count(*)::text as accounts
       from accounts`,
  );
  const { balances: balancesSum = '0', overdrawn = '0', accounts = '0' } = totals.rows[0] ?? {};
  checks.push({ name: 'balances sum to 0', ok: balancesSum === '0', detail: `sum ${balancesSum}` });
  checks.push({
    name: 'no account below −overdraftLimit',
    ok: overdrawn === '0',
    detail: `${overdrawn} accounts`,
  });
  const broken = await value(
    `select count(*)::text as v
       from accounts a
       left join (select account_id, count(*) as n, min(version) as lo, max(version) as hi,
                         sum(amount) as total
                    from postings group by account_id) p on p.account_id = a.id
       left join postings last on last.account_id = a.id and last.version = a.version
      where a.version - 1 <> coalesce(p.n, 0)
         or (p.n is not null and (p.lo <> 2 or p.hi <> a.version or last.balance_after <> a.balance))
         or a.balance <> coalesce(p.total, 0)`,
  );
  checks.push({
    name: 'versions gapless, balances = postings',
    ok: broken === '0',
    detail: `${accounts} accounts, ${broken} with a version gap or a balance that is not the sum of its postings`,
  });
  if (options.hasOutbox) {
    const unsent = await unpublishedOutboxCount(pool);
    checks.push({
      name: 'events published',
      ok: unsent === 0,
      detail: `${unsent} outbox rows not yet published`,
    });
  }
  return {
    schema: options.schema,
    checks,
    ok: checks.every((check) => check.ok),
    seconds: (Date.now() - startedAtMs) / 1_000,
  };
}

/** The smallest string above every string starting with `prefix` (byte order, C collation). */
export function prefixEnd(prefix: string): string {
  if (prefix.length === 0) throw new Error('empty prefix');
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
