/**
 * The account lifecycle's invariants over the committed ledger (infra/migrations/0018): each
 * account's changes are revisions 2..n with n its revision, its status and metadata are those of
 * its last change, a closed account holds nothing, and no entry that moves or holds money lands
 * on an account between its freeze (or close) and the next unfreeze. Releases of holds (voided,
 * expired) may: they only give money back. Each query answers one count, '0' when it holds.
 */
export async function lifecycleViolations(
  one: (sql: string) => Promise<string>,
): Promise<string[]> {
  const violations: string[] = [];
  const revisionGaps = await one(`
    select count(*)::text as v from accounts a
     where a.revision - 1 <> (select count(*) from account_changes c where c.account_id = a.id)
        or exists (select 1 from account_changes c
                    where c.account_id = a.id and (c.revision < 2 or c.revision > a.revision))`);
  if (revisionGaps !== '0')
    violations.push(`${revisionGaps} accounts whose revisions are not gapless 1..n`);
  const stateMismatch = await one(`
    select count(*)::text as v from accounts a
      join lateral (select c.status, c.metadata from account_changes c where c.account_id = a.id
                     order by c.revision desc limit 1) last on true
     where a.status <> last.status or a.metadata <> last.metadata`);
  if (stateMismatch !== '0')
    violations.push(`${stateMismatch} accounts whose status or metadata ≠ their last change`);
  const unchangedNotOpen = await one(`
    select count(*)::text as v from accounts a
     where a.status <> 'open'
       and not exists (select 1 from account_changes c where c.account_id = a.id)`);
  if (unchangedNotOpen !== '0')
    violations.push(`${unchangedNotOpen} accounts not open without a change that says so`);
  const closedHolding = await one(
    `select count(*)::text as v from accounts where status = 'closed' and (balance <> 0 or held <> 0)`,
  );
  if (closedHolding !== '0')
    violations.push(`${closedHolding} closed accounts with a balance or a hold`);
  const entriesWhileBlocked = await one(`
    with blocked as (
      select c.account_id, c.version as since,
             (select min(u.version) from account_changes u
               where u.account_id = c.account_id and u.revision > c.revision
                 and u.change = 'unfreeze') as until
        from account_changes c
       where c.change in ('freeze', 'close'))
    select count(*)::text as v from blocked b
      join postings p on p.account_id = b.account_id
     where p.kind in ('posted', 'pending') and p.version > b.since
       and (b.until is null or p.version <= b.until)`);
  if (entriesWhileBlocked !== '0')
    violations.push(`${entriesWhileBlocked} entries on accounts while frozen or closed`);
  return violations;
}
