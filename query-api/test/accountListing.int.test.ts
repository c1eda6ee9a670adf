import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLedgerTestEnvironment, type LedgerTestEnvironment } from '@ledger/testing';
import { anonymousPrincipal, type Principal } from '@ledger/runtime';
import { accountListQueryOf } from '../src/http/accountListRoute.ts';
import type { AccountListOptions } from '../src/http/requestParsing.ts';
import {
  accountListScanMax,
  createReadModels,
  type AccountStatus,
  type ReadModels,
} from '../src/postgres/readModels.ts';
import type { RunningQueryApi } from '../src/wiring.ts';
import { startInstance } from './intSupport.ts';

/**
 * GET /v1/accounts against real Postgres: accounts written straight into the ledger of record
 * (more than the scan cap, under three prefixes whose byte order differs from a locale's), paged
 * through the read model and through HTTP.
 */
const accounts = 12_000;
const prefixes = ['acme-', 'Zeta-', 'beta-'] as const;

interface Seeded {
  readonly id: string;
  readonly currency: string;
  readonly status: AccountStatus;
}

function seeded(g: number): Seeded {
  return {
    id: `${prefixes[g % 3]}${String(g).padStart(5, '0')}`,
    currency: g % 10 === 0 ? 'EUR' : 'USD',
    // One closed account in a thousand: rarer than the cap lets a page find.
    status: g % 1000 === 7 ? 'closed' : g % 50 === 3 ? 'frozen' : 'open',
  };
}

const all = Array.from({ length: accounts }, (_, index) => seeded(index + 1)).sort((a, b) =>
  Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)),
);

interface Page {
  readonly ids: string[];
  readonly next: string | undefined;
}

void describe('account listing against Postgres', () => {
  let env: LedgerTestEnvironment;
  let readModels: ReadModels;
  let instance: RunningQueryApi;

  before(async () => {
    env = await createLedgerTestEnvironment('account-listing');
    await env.pool.query(
      `insert into accounts (id, currency, overdraft_limit, status, balance, version, metadata,
                             created_at, opened_by_command_id, open_request_hash)
       select s.id, s.currency, 0, s.status, 0, 1, '{"tier":"test"}', now(), s.id, 'h'
         from unnest($1::text[], $2::text[], $3::text[]) as s (id, currency, status)`,
      [all.map((a) => a.id), all.map((a) => a.currency), all.map((a) => a.status)],
    );
    await env.pool.query('analyze accounts');
    readModels = createReadModels(env.pool);
    instance = await startInstance(env, 'listing');
  });

  after(async () => {
    await instance?.stop();
    await env?.teardown();
  });

  async function pageThrough(
    principal: Principal,
    options: Omit<AccountListOptions, 'afterAccountId'>,
  ): Promise<{ ids: string[]; pages: Page[] }> {
    const pages: Page[] = [];
    let afterAccountId: string | undefined;
    do {
      const page = await readModels.listAccounts(
        accountListQueryOf(principal, { ...options, afterAccountId }),
      );
      pages.push({ ids: page.accounts.map((a) => a.accountId), next: page.nextAfterId });
      afterAccountId = page.nextAfterId;
      assert.ok(pages.length < 1_000, 'the paging ends');
    } while (afterAccountId !== undefined);
    return { ids: pages.flatMap((page) => page.ids), pages };
  }

  const noFilter = { limit: 200, status: undefined, currency: undefined };

  void it('given 12000 accounts, when paged through 200 at a time, then each comes exactly once in byte order', async () => {
    const { ids, pages } = await pageThrough(anonymousPrincipal, noFilter);
    assert.deepEqual(
      ids,
      all.map((a) => a.id),
    );
    assert.equal(pages.length, accounts / 200, 'full pages, the last with no cursor');
    assert.ok(pages.slice(0, -1).every((page) => page.ids.length === 200));
  });

  void it('given status and currency filters, when paged through, then exactly the matching accounts', async () => {
    for (const [status, currency] of [
      ['frozen', undefined],
      ['open', 'EUR'],
      [undefined, 'EUR'],
      ['closed', 'USD'],
    ] as const) {
      const { ids } = await pageThrough(anonymousPrincipal, { limit: 50, status, currency });
      const expected = all.filter(
        (a) =>
          (status === undefined || a.status === status) &&
          (currency === undefined || a.currency === currency),
      );
      assert.deepEqual(
        ids,
        expected.map((a) => a.id),
        `${status} ${currency}`,
      );
    }
  });

  void it('given a rare status, when a page is asked for, then the scan stops at the cap with a cursor to continue', async () => {
    const closed = all.filter((a) => a.status === 'closed');
    const first = await readModels.listAccounts(
      accountListQueryOf(anonymousPrincipal, {
        ...noFilter,
        limit: 50,
        afterAccountId: undefined,
        status: 'closed',
      }),
    );
    const capId = all[accountListScanMax - 1]?.id;
    assert.equal(first.nextAfterId, capId, 'the cursor is at the last row scanned');
    assert.deepEqual(
      first.accounts.map((a) => a.accountId),
      closed.filter((a) => capId !== undefined && a.id <= capId).map((a) => a.id),
    );
    assert.ok(first.accounts.length < 50, 'a short page that still continues');
    const { ids, pages } = await pageThrough(anonymousPrincipal, {
      limit: 50,
      status: 'closed',
      currency: undefined,
    });
    assert.deepEqual(
      ids,
      closed.map((a) => a.id),
    );
    assert.equal(pages.length, Math.ceil(accounts / accountListScanMax));
  });

  void it('given a tenant key, when paged through, then only its prefix, even from a cursor outside it', async () => {
    const tenant: Principal = { ...anonymousPrincipal, keyId: 'k', accountPrefix: 'acme-' };
    const { ids } = await pageThrough(tenant, { limit: 200, status: undefined, currency: 'EUR' });
    const expected = all.filter((a) => a.id.startsWith('acme-') && a.currency === 'EUR');
    assert.deepEqual(
      ids,
      expected.map((a) => a.id),
    );
    const fromOutside = await readModels.listAccounts(
      accountListQueryOf(tenant, { ...noFilter, limit: 3, afterAccountId: 'Zeta-99999' }),
    );
    assert.deepEqual(
      fromOutside.accounts.map((a) => a.accountId),
      all
        .filter((a) => a.id.startsWith('acme-'))
        .slice(0, 3)
        .map((a) => a.id),
    );
    const pastIt = await readModels.listAccounts(
      accountListQueryOf(tenant, { ...noFilter, limit: 3, afterAccountId: 'beta-00000' }),
    );
    assert.deepEqual(pastIt, { accounts: [], nextAfterId: undefined });
  });

  const get = async (query: string) => {
    const response = await fetch(`http://127.0.0.1:${instance.port}/v1/accounts${query}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  void it('given the HTTP route, when paged through with its cursors, then every account once and the documented fields', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const answer = await get(`?limit=200${cursor === null ? '' : `&cursor=${cursor}`}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const page = answer.body.accounts as Record<string, unknown>[];
      if (ids.length === 0) {
        assert.deepEqual(Object.keys(page[0] ?? {}), [
          'accountId',
          'currency',
          'balance',
          'available',
          'overdraftLimit',
          'status',
          'version',
          'revision',
          'createdAt',
          'metadata',
        ]);
        assert.deepEqual(page[0]?.metadata, { tier: 'test' });
        assert.equal(page[0]?.balance, '0');
        assert.equal(page[0]?.available, '0');
        assert.equal(page[0]?.revision, 1);
      }
      ids.push(...page.map((account) => String(account.accountId)));
      cursor = answer.body.nextCursor as string | null;
    } while (cursor !== null);
    assert.deepEqual(
      ids,
      all.map((a) => a.id),
    );
  });

  void it('given a malformed cursor or filter, when listed over HTTP, then 400 invalid_request', async () => {
    for (const query of ['?cursor=bm90LWEtY3Vyc29y', '?cursor=%25', '?status=gone', '?limit=201']) {
      const answer = await get(query);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.code, 'invalid_request', query);
    }
  });
});
