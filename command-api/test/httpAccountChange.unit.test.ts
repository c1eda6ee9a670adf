import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createApiKeys, errorCatalog, type OutcomeCode } from '@ledger/runtime';
import { metadataKeysMax, requestHashOf, type ChangeAccount } from '@ledger/schemas';
import type { CommandToPublish } from '../src/appDeps.ts';
import { startTestApp, type TestApp } from './fakes.ts';
import { request } from '@ledger/testing/httpClient';
import { testApiKey } from '../../runtime/test/apiKeyFixtures.ts';

/** POST /v1/accounts/{accountId}/freeze | unfreeze | close | metadata over the in-memory fakes. */
void describe('account change routes', () => {
  const writer = testApiKey(['accounts:write']);
  const acme = testApiKey(['accounts:write'], 'acme-');
  const reader = testApiKey(['accounts:read']);
  const mover = testApiKey(['transfers:write']);
  let app: TestApp;
  let serial = 0;
  const nextAccount = () => `acct-${++serial}`;
  const change = (
    accountId: string,
    action: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    request(app.baseUrl, 'POST', `/v1/accounts/${accountId}/${action}`, {
      body,
      headers: { ...writer.headers, ...headers },
    });
  const published = () => app.publisher.published.length;
  const lastPublished = (): CommandToPublish => {
    const last = app.publisher.published.at(-1);
    assert.ok(last !== undefined, 'nothing was published');
    return last;
  };
  /** A stand-in processor deciding every change with `outcome`. */
  const decideWith =
    (outcome: { code: OutcomeCode } | { revision: number }) =>
    (commands: readonly CommandToPublish[]) => {
      for (const { command } of commands) {
        const { commandId, payload } = command;
        if (payload.type !== 'ChangeAccount') continue;
        app.idempotency.outcomes.set(
          commandId,
          'code' in outcome
            ? { status: 'rejected', commandId, code: outcome.code }
            : {
                status: 'applied',
                commandId,
                versions: { [payload.accountId]: 4 },
                revision: outcome.revision,
              },
        );
      }
    };

  before(async () => {
    app = await startTestApp({
      apiKeys: createApiKeys({
        file: [writer.record, acme.record, reader.record, mover.record],
      }),
    });
  });
  beforeEach(() => {
    app.publisher.onPublished = () => {};
  });
  after(() => app.close());

  for (const action of ['freeze', 'unfreeze', 'close'] as const) {
    void it(`given an empty body, when ${action} is posted, then 202 accepted names the account and one ChangeAccount keyed by it is published under its own command id`, async () => {
      const accountId = nextAccount();
      const response = await change(accountId, action, {});
      assert.equal(response.status, 202, response.text);
      const { command, key } = lastPublished();
      assert.deepEqual(response.body, {
        commandId: command.commandId,
        status: 'accepted',
        accountId,
      });
      assert.equal(
        response.headers.get('location'),
        `/v1/commands/${encodeURIComponent(command.commandId)}`,
      );
      const payload: ChangeAccount = { type: 'ChangeAccount', accountId, change: action };
      assert.deepEqual(command.payload, payload);
      assert.equal(key, accountId);
      assert.equal(command.idempotencyKey, command.commandId, 'no header: the command is the key');
      assert.equal(command.requestHash, requestHashOf(payload));
    });
  }

  void it('given metadata and an expected revision, when metadata is posted, then an update_metadata carries the whole map (keys sorted) and the revision', async () => {
    const accountId = nextAccount();
    const response = await change(accountId, 'metadata', {
      metadata: { tier: 'gold', name: 'Carol' },
      expectedRevision: 3,
    });
    assert.equal(response.status, 202, response.text);
    const { command } = lastPublished();
    const payload: ChangeAccount = {
      type: 'ChangeAccount',
      accountId,
      change: 'update_metadata',
      metadata: { name: 'Carol', tier: 'gold' },
      expectedRevision: 3,
    };
    assert.deepEqual(command.payload, payload);
    assert.deepEqual(
      Object.keys(command.payload.type === 'ChangeAccount' ? (command.payload.metadata ?? {}) : {}),
      ['name', 'tier'],
    );
    assert.equal(command.requestHash, requestHashOf(payload));
  });

  void it('given an empty map, when metadata is posted, then it clears the metadata (an update with {})', async () => {
    const accountId = nextAccount();
    assert.equal((await change(accountId, 'metadata', { metadata: {} })).status, 202);
    assert.deepEqual(lastPublished().command.payload, {
      type: 'ChangeAccount',
      accountId,
      change: 'update_metadata',
      metadata: {},
    });
  });

  void it('given an expected revision, when a freeze is posted, then the command carries it and hashes apart from one without', async () => {
    const accountId = nextAccount();
    await change(accountId, 'freeze', { expectedRevision: 1 });
    const checked = lastPublished().command;
    await change(accountId, 'freeze', {});
    const unchecked = lastPublished().command;
    assert.equal(checked.payload.type === 'ChangeAccount' && checked.payload.expectedRevision, 1);
    assert.notEqual(checked.requestHash, unchecked.requestHash);
  });

  void it('given an Idempotency-Key, when the same change is sent twice, then the second replays the first command and nothing more is published', async () => {
    const accountId = nextAccount();
    const headers = { 'idempotency-key': 'freeze-1' };
    const first = await change(accountId, 'freeze', { expectedRevision: 1 }, headers);
    assert.equal(first.status, 202, first.text);
    const { command } = lastPublished();
    assert.equal(command.idempotencyKey, 'freeze-1');
    const count = published();
    const again = await change(accountId, 'freeze', { expectedRevision: 1 }, headers);
    assert.equal(again.status, 202, again.text);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.commandId, first.body.commandId);
    assert.equal(again.body.accountId, accountId);
    assert.equal(published(), count);
  });

  void it('given an Idempotency-Key, when it comes back with another body, then 409 idempotency_conflict naming the first command and nothing is published', async () => {
    const accountId = nextAccount();
    const headers = { 'idempotency-key': 'change-7' };
    const first = await change(accountId, 'freeze', {}, headers);
    const count = published();
    const other = await change(accountId, 'close', {}, headers);
    assert.equal(other.status, 409, other.text);
    assert.equal(other.body.code, 'idempotency_conflict');
    assert.equal(other.body.commandId, first.body.commandId);
    assert.equal(other.body.accountId, accountId);
    assert.match(other.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(published(), count);
  });

  void it('given one Idempotency-Key on two accounts, when each is changed, then both are new commands (keys are per account)', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const [one, two] = [nextAccount(), nextAccount()];
    const first = await change(one, 'freeze', {}, headers);
    const second = await change(two, 'freeze', {}, headers);
    assert.equal(second.status, 202, second.text);
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.notEqual(second.body.commandId, first.body.commandId);
    assert.ok(app.idempotency.keys.has(`account_change:${one}/shared-key`));
    assert.ok(app.idempotency.keys.has(`account_change:${two}/shared-key`));
  });

  void it('given no Idempotency-Key, when the same change is sent twice, then both are published: nothing is deduplicated', async () => {
    const accountId = nextAccount();
    const count = published();
    const first = await change(accountId, 'freeze', {});
    const second = await change(accountId, 'freeze', {});
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.notEqual(second.body.commandId, first.body.commandId);
    assert.equal(published(), count + 2);
  });

  void it('given Prefer: wait and an applied change, when posted, then 201 with the unchanged version and the new revision', async () => {
    app.publisher.onPublished = decideWith({ revision: 5 });
    const accountId = nextAccount();
    const response = await change(accountId, 'unfreeze', {}, { prefer: 'wait=5' });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.headers.get('preference-applied'), 'wait=5');
    const { commandId } = lastPublished().command;
    assert.equal(response.headers.get('location'), `/v1/commands/${commandId}`);
    assert.deepEqual(response.body, {
      commandId,
      status: 'applied',
      accountId,
      versions: { [accountId]: 4 },
      revision: 5,
    });
  });

  void it('given Prefer: wait and an outcome without a revision (read back from Postgres), when posted, then 201 without one', async () => {
    app.publisher.onPublished = (commands) => {
      for (const { command } of commands) {
        app.idempotency.outcomes.set(command.commandId, {
          status: 'applied',
          commandId: command.commandId,
          versions: { x: 1 },
        });
      }
    };
    const response = await change(nextAccount(), 'close', {}, { prefer: 'wait=1' });
    assert.equal(response.status, 201, response.text);
    assert.equal('revision' in response.body, false);
  });

  for (const code of [
    'account_not_found',
    'account_closed',
    'revision_conflict',
    'account_status_conflict',
    'account_not_empty',
  ] as const) {
    void it(`given Prefer: wait and a ${code} rejection, when posted, then its problem document with the catalogue's status, the commandId and the accountId`, async () => {
      app.publisher.onPublished = decideWith({ code });
      const accountId = nextAccount();
      const response = await change(
        accountId,
        'close',
        { expectedRevision: 2 },
        { prefer: 'wait=2' },
      );
      assert.equal(response.status, errorCatalog[code].status, response.text);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(response.body.code, code);
      assert.equal(response.body.commandId, lastPublished().command.commandId);
      assert.equal(response.body.accountId, accountId);
    });
  }

  void it('given bad input, when posted, then a 400 problem document and nothing is published', async () => {
    const count = published();
    const cases: ReadonlyArray<[string, string, unknown, string, Record<string, string>?]> = [
      ['acct-x', 'freeze', { memo: 'x' }, 'invalid_request'],
      ['acct-x', 'freeze', { metadata: {} }, 'invalid_request'],
      ['acct-x', 'freeze', [], 'invalid_request'],
      ['acct-x', 'unfreeze', { expectedRevision: 0 }, 'invalid_request'],
      ['acct-x', 'unfreeze', { expectedRevision: -1 }, 'invalid_request'],
      ['acct-x', 'close', { expectedRevision: 1.5 }, 'invalid_request'],
      ['acct-x', 'close', { expectedRevision: '2' }, 'invalid_request'],
      ['acct-x', 'close', { expectedRevision: null }, 'invalid_request'],
      ['acct-x', 'close', { expectedRevision: 2 ** 53 }, 'invalid_request'],
      ['acct-x', 'metadata', {}, 'invalid_request'],
      ['acct-x', 'metadata', { expectedRevision: 1 }, 'invalid_request'],
      ['acct-x', 'metadata', { metadata: null }, 'invalid_request'],
      ['acct-x', 'metadata', { metadata: { n: 1 } }, 'invalid_request'],
      ['acct-x', 'metadata', { metadata: { 'bad key': 'v' } }, 'invalid_request'],
      ['acct-x', 'metadata', { metadata: { a: 'x'.repeat(10_000) } }, 'invalid_request'],
      ['acct-x', 'metadata', { metadata: {}, memo: 'x' }, 'invalid_request'],
      ['bad%20id', 'freeze', {}, 'invalid_id'],
      ['%ZZ', 'freeze', {}, 'invalid_id'],
      ['acct-x', 'freeze', {}, 'invalid_id', { 'idempotency-key': '-bad' }],
    ];
    for (const [accountId, action, body, code, headers] of cases) {
      const response = await change(accountId, action, body, headers);
      const what = `${accountId} ${action} ${JSON.stringify(body)}`;
      assert.equal(response.status, 400, `${what}: ${response.text}`);
      assert.equal(response.body.code, code, `${what}: ${response.text}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
    assert.equal(published(), count);
  });

  void it('given too many metadata keys, when metadata is posted, then 400 as at opening', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: metadataKeysMax + 1 }, (_, i) => [`k${i}`, 'v']),
    );
    const response = await change('acct-x', 'metadata', { metadata });
    assert.equal(response.status, 400, response.text);
    assert.match(String(response.body.detail), /more than \d+ keys/);
  });

  void it('given a key without accounts:write, when it changes an account, then 403 and nothing is published', async () => {
    const count = published();
    for (const key of [reader, mover]) {
      const response = await request(app.baseUrl, 'POST', '/v1/accounts/acct-x/freeze', {
        body: {},
        headers: key.headers,
      });
      assert.equal(response.status, 403, response.text);
      assert.equal(response.body.code, 'forbidden');
    }
    assert.equal(published(), count);
  });

  void it("given a tenant key, when it changes another tenant's account, then 403; its own account is accepted", async () => {
    const count = published();
    const other = await change('zeta-1', 'close', {}, acme.headers);
    assert.equal(other.status, 403, other.text);
    assert.equal(published(), count);
    const own = await change('acme-1', 'close', {}, acme.headers);
    assert.equal(own.status, 202, own.text);
    assert.equal(lastPublished().key, 'acme-1');
  });

  void it('given an accepted change, when logged, then its account is masked and its metadata stays out', async () => {
    const accountId = nextAccount();
    await change(accountId, 'metadata', { metadata: { secret: 'do-not-log' } });
    const line = app.logLines.findLast((entry) => entry.includes('command accepted'));
    assert.ok(line !== undefined);
    assert.match(line, /"change":"update_metadata"/);
    assert.doesNotMatch(line, /do-not-log/);
    assert.doesNotMatch(line, new RegExp(`"${accountId}"`));
  });
});
