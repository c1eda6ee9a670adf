// Writes the golden fixture of every example below that has none yet; never rewrites one. A
// fixture pins bytes that consumers depend on: if the golden test fails after a change, the change
// breaks the wire format — fix the change, do not regenerate. New message types or new schema
// versions get new examples (new files) with their `schemaVersion`. Run: node --import tsx schemas/tools/writeGoldenFixtures.ts
import { existsSync, writeFileSync } from 'node:fs';
import {
  fixtureCodecs,
  fixtureToJson,
  fixturesDirectory,
  type GoldenFixture,
} from '../test/goldenFixtureFormat.ts';
import type {
  BalanceChanged,
  DeadLetter,
  LedgerCommand,
  LedgerEvent,
  LedgerSchemaName,
} from '../src/index.ts';
import { nextChainLink } from '../src/index.ts';

const receivedAt = Date.UTC(2026, 0, 15, 9, 30, 0, 123);
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const hashOf = (seed: string) => seed.repeat(64).slice(0, 64);
/** `event` with the link that follows `previous` in `chain`, as the processor writes it. */
const chained = (
  chain: number,
  previous: Parameters<typeof nextChainLink>[1],
  event: LedgerEvent,
): LedgerEvent => ({ ...event, chain: nextChainLink(chain, previous, event) });

const examples: Record<
  string,
  { schema: LedgerSchemaName; schemaVersion?: number; description: string; domain: unknown }
> = {
  'command-open-account': {
    schema: 'LedgerCommand',
    description: 'OpenAccount of a funding account with a large overdraft and metadata',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8e',
      idempotencyKey: 'funding-usd',
      requestHash: hashOf('a1'),
      receivedAt,
      traceparent,
      payload: {
        type: 'OpenAccount',
        accountId: 'funding-usd',
        currency: 'USD',
        overdraftLimit: 9_223_372_036_854_775_807n,
        metadata: { kind: 'funding', name: 'Funding (USD)' },
      },
    } satisfies LedgerCommand,
  },
  'command-transfer': {
    schema: 'LedgerCommand',
    description: 'Transfer of the largest amount, without traceparent or metadata',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8f',
      idempotencyKey: 'client-key-42',
      requestHash: hashOf('b2'),
      receivedAt: receivedAt + 1,
      traceparent: null,
      payload: {
        type: 'Transfer',
        transferId: 't-123',
        fromAccountId: 'funding-usd',
        toAccountId: 'alice',
        amount: 9_223_372_036_854_775_807n,
        currency: 'USD',
        metadata: {},
      },
    } satisfies LedgerCommand,
  },
  'event-account-opened': {
    schema: 'LedgerEvent',
    description: 'AccountOpened: version 1, balance 0',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000001',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8e',
      occurredAt: receivedAt + 5,
      payload: {
        type: 'AccountOpened',
        accountId: 'alice',
        currency: 'USD',
        overdraftLimit: 0n,
        metadata: { name: 'Alice' },
        version: 1,
        balance: 0n,
      },
    } satisfies LedgerEvent,
  },
  'event-transfer-posted': {
    schema: 'LedgerEvent',
    description: 'TransferPosted: the debit leg goes negative within the overdraft',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000002',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d8f',
      occurredAt: receivedAt + 6,
      payload: {
        type: 'TransferPosted',
        transferId: 't-124',
        fromAccountId: 'alice',
        toAccountId: 'bob',
        amount: 1_000n,
        currency: 'USD',
        metadata: { note: 'rent' },
        debit: { accountId: 'alice', balanceAfter: -500n, version: 7 },
        credit: { accountId: 'bob', balanceAfter: 1_000n, version: 2 },
      },
    } satisfies LedgerEvent,
  },
  'event-transfer-rejected': {
    schema: 'LedgerEvent',
    description: 'TransferRejected with insufficient_funds',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000003',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d90',
      occurredAt: receivedAt + 7,
      payload: {
        type: 'TransferRejected',
        transferId: 't-125',
        fromAccountId: 'alice',
        toAccountId: 'bob',
        amount: 1n,
        currency: 'USD',
        code: 'insufficient_funds',
      },
    } satisfies LedgerEvent,
  },
  'event-account-open-rejected': {
    schema: 'LedgerEvent',
    description: 'AccountOpenRejected: the id is taken by an account with another body',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000004',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d91',
      occurredAt: receivedAt + 8,
      payload: { type: 'AccountOpenRejected', accountId: 'alice', code: 'account_exists' },
    } satisfies LedgerEvent,
  },
  'command-transfer-reversal': {
    schema: 'LedgerCommand',
    schemaVersion: 2,
    description: 'Transfer that reverses part of t-124: its accounts swapped (schema v2)',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d92',
      idempotencyKey: 'r-124-1',
      requestHash: hashOf('c3'),
      receivedAt: receivedAt + 11,
      traceparent,
      payload: {
        type: 'Transfer',
        transferId: 'r-124-1',
        fromAccountId: 'bob',
        toAccountId: 'alice',
        amount: 400n,
        currency: 'USD',
        metadata: { reason: 'partial refund' },
        reversalOf: 't-124',
      },
    } satisfies LedgerCommand,
  },
  'event-transfer-posted-reversal': {
    schema: 'LedgerEvent',
    schemaVersion: 2,
    description: 'TransferPosted of a reversal of t-124, the second link of chain 11 (schema v2)',
    domain: chained(
      11,
      { sequence: 1, hash: hashOf('d4') },
      {
        eventId: '019bc2a4-8000-7000-8000-000000000005',
        commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d92',
        occurredAt: receivedAt + 12,
        payload: {
          type: 'TransferPosted',
          transferId: 'r-124-1',
          fromAccountId: 'bob',
          toAccountId: 'alice',
          amount: 400n,
          currency: 'USD',
          metadata: { reason: 'partial refund' },
          debit: { accountId: 'bob', balanceAfter: 600n, version: 3 },
          credit: { accountId: 'alice', balanceAfter: -100n, version: 8 },
          reversalOf: 't-124',
        },
      },
    ),
  },
  'event-transfer-rejected-reversal': {
    schema: 'LedgerEvent',
    schemaVersion: 2,
    description: 'TransferRejected: a reversal past what is left of t-124 (schema v2)',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000006',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d93',
      occurredAt: receivedAt + 13,
      payload: {
        type: 'TransferRejected',
        transferId: 'r-124-2',
        fromAccountId: 'bob',
        toAccountId: 'alice',
        amount: 601n,
        currency: 'USD',
        code: 'reversal_exceeds_transfer',
        reversalOf: 't-124',
      },
    } satisfies LedgerEvent,
  },
  'command-transfer-pending': {
    schema: 'LedgerCommand',
    schemaVersion: 3,
    description: 'Transfer that is pending (a hold) for at most a day (schema v3)',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d94',
      idempotencyKey: 'h-1',
      requestHash: hashOf('e5'),
      receivedAt: receivedAt + 20,
      traceparent,
      payload: {
        type: 'Transfer',
        transferId: 'h-1',
        fromAccountId: 'alice',
        toAccountId: 'shop',
        amount: 2_500n,
        currency: 'USD',
        metadata: { order: 'o-77' },
        pending: { timeoutSeconds: 86_400 },
      },
    } satisfies LedgerCommand,
  },
  'command-settle-pending-post': {
    schema: 'LedgerCommand',
    schemaVersion: 3,
    description: 'SettlePending posting part of the hold h-1 (schema v3)',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d95',
      idempotencyKey: 'h-1',
      requestHash: hashOf('f6'),
      receivedAt: receivedAt + 21,
      traceparent: null,
      payload: {
        type: 'SettlePending',
        transferId: 'h-1',
        fromAccountId: 'alice',
        toAccountId: 'shop',
        action: 'post',
        amount: 2_000n,
      },
    } satisfies LedgerCommand,
  },
  'command-settle-pending-expire': {
    schema: 'LedgerCommand',
    schemaVersion: 3,
    description: "SettlePending by the processor's expiry sweep (schema v3)",
    domain: {
      commandId: 'expire.h-2',
      idempotencyKey: 'h-2',
      requestHash: hashOf('07'),
      receivedAt: receivedAt + 22,
      traceparent: null,
      payload: {
        type: 'SettlePending',
        transferId: 'h-2',
        fromAccountId: 'alice',
        toAccountId: 'shop',
        action: 'expire',
        asOf: receivedAt + 22,
      },
    } satisfies LedgerCommand,
  },
  'event-transfer-pending': {
    schema: 'LedgerEvent',
    schemaVersion: 3,
    description:
      'TransferPending: 2500 held on alice until a day later, chain 3 link 7 (schema v3)',
    domain: chained(
      3,
      { sequence: 6, hash: hashOf('18') },
      {
        eventId: '019bc2a4-8000-7000-8000-000000000007',
        commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d94',
        occurredAt: receivedAt + 30,
        payload: {
          type: 'TransferPending',
          transferId: 'h-1',
          fromAccountId: 'alice',
          toAccountId: 'shop',
          amount: 2_500n,
          currency: 'USD',
          metadata: { order: 'o-77' },
          debit: { accountId: 'alice', balanceAfter: 10_000n, version: 5, heldAfter: 2_500n },
          expiresAt: receivedAt + 30 + 86_400_000,
        },
      },
    ),
  },
  'event-pending-posted': {
    schema: 'LedgerEvent',
    schemaVersion: 3,
    description: 'PendingPosted: 2000 of the 2500 held posted, the whole 2500 released (schema v3)',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000008',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d95',
      occurredAt: receivedAt + 31,
      payload: {
        type: 'PendingPosted',
        transferId: 'h-1',
        fromAccountId: 'alice',
        toAccountId: 'shop',
        amount: 2_000n,
        pendingAmount: 2_500n,
        currency: 'USD',
        debit: { accountId: 'alice', balanceAfter: 8_000n, version: 6, heldAfter: 0n },
        credit: { accountId: 'shop', balanceAfter: 2_000n, version: 2, heldAfter: 0n },
      },
    } satisfies LedgerEvent,
  },
  'event-pending-voided': {
    schema: 'LedgerEvent',
    schemaVersion: 3,
    description: 'PendingVoided: the hold h-2 expired, its 700 released (schema v3)',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-000000000009',
      commandId: 'expire.h-2',
      occurredAt: receivedAt + 32,
      payload: {
        type: 'PendingVoided',
        transferId: 'h-2',
        fromAccountId: 'alice',
        toAccountId: 'shop',
        amount: 700n,
        currency: 'USD',
        reason: 'expired',
        debit: { accountId: 'alice', balanceAfter: 8_000n, version: 7, heldAfter: 0n },
      },
    } satisfies LedgerEvent,
  },
  'event-settlement-rejected': {
    schema: 'LedgerEvent',
    schemaVersion: 3,
    description: 'SettlementRejected: a post of more than h-3 holds (schema v3)',
    domain: {
      eventId: '019bc2a4-8000-7000-8000-00000000000a',
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d96',
      occurredAt: receivedAt + 33,
      payload: {
        type: 'SettlementRejected',
        transferId: 'h-3',
        fromAccountId: 'alice',
        toAccountId: 'shop',
        action: 'post',
        amount: 9_999n,
        code: 'post_exceeds_pending',
      },
    } satisfies LedgerEvent,
  },
  'balance-changed-available': {
    schema: 'BalanceChanged',
    schemaVersion: 2,
    description: 'BalanceChanged with 2500 of 10000 held by a pending transfer (schema v2)',
    domain: {
      accountId: 'alice',
      currency: 'USD',
      balance: 10_000n,
      available: 7_500n,
      version: 5,
      updatedAt: receivedAt + 30,
    } satisfies BalanceChanged,
  },
  'command-change-account-freeze': {
    schema: 'LedgerCommand',
    schemaVersion: 4,
    description: 'ChangeAccount freezing alice if she is still at revision 3 (schema v4)',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d97',
      idempotencyKey: 'freeze-alice-1',
      requestHash: hashOf('28'),
      receivedAt: receivedAt + 40,
      traceparent,
      payload: { type: 'ChangeAccount', accountId: 'alice', change: 'freeze', expectedRevision: 3 },
    } satisfies LedgerCommand,
  },
  'command-change-account-metadata': {
    schema: 'LedgerCommand',
    schemaVersion: 4,
    description:
      'ChangeAccount replacing the metadata of alice, no revision check, no key (schema v4)',
    domain: {
      commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d98',
      idempotencyKey: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d98',
      requestHash: hashOf('39'),
      receivedAt: receivedAt + 41,
      traceparent: null,
      payload: {
        type: 'ChangeAccount',
        accountId: 'alice',
        change: 'update_metadata',
        metadata: { name: 'Alice B.', tier: 'gold' },
      },
    } satisfies LedgerCommand,
  },
  'event-account-changed': {
    schema: 'LedgerEvent',
    schemaVersion: 4,
    description:
      'AccountChanged: alice frozen at revision 4 and version 12, chain 3 link 8 (schema v4)',
    domain: chained(
      3,
      { sequence: 7, hash: hashOf('4a') },
      {
        eventId: '019bc2a4-8000-7000-8000-00000000000b',
        commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d97',
        occurredAt: receivedAt + 42,
        payload: {
          type: 'AccountChanged',
          accountId: 'alice',
          change: 'freeze',
          status: 'frozen',
          metadata: { name: 'Alice' },
          revision: 4,
          version: 12,
        },
      },
    ),
  },
  'event-account-change-rejected': {
    schema: 'LedgerEvent',
    schemaVersion: 4,
    description: 'AccountChangeRejected: alice closed with money left on her (schema v4)',
    domain: chained(
      3,
      { sequence: 8, hash: hashOf('5b') },
      {
        eventId: '019bc2a4-8000-7000-8000-00000000000c',
        commandId: '019bc2a4-7f3e-7c1a-9d2e-3f4a5b6c7d99',
        occurredAt: receivedAt + 43,
        payload: {
          type: 'AccountChangeRejected',
          accountId: 'alice',
          change: 'close',
          code: 'account_not_empty',
        },
      },
    ),
  },
  'balance-changed-revision': {
    schema: 'BalanceChanged',
    schemaVersion: 3,
    description:
      'BalanceChanged after alice was frozen: balance and version as were, revision 4 (schema v3)',
    domain: {
      accountId: 'alice',
      currency: 'USD',
      balance: 10_000n,
      available: 7_500n,
      version: 5,
      revision: 4,
      updatedAt: receivedAt + 42,
    } satisfies BalanceChanged,
  },
  'balance-changed': {
    schema: 'BalanceChanged',
    description: 'BalanceChanged to the smallest int64 balance at the largest safe version',
    domain: {
      accountId: 'funding-usd',
      currency: 'USD',
      balance: -9_223_372_036_854_775_808n,
      version: 9_007_199_254_740_990, // the largest long decoded without precision loss
      updatedAt: receivedAt + 9,
    } satisfies BalanceChanged,
  },
  'dead-letter': {
    schema: 'DeadLetter',
    description: 'DeadLetter of a value that is not in the Confluent wire format',
    domain: {
      originalTopic: 'ledger.commands',
      originalPartition: 11,
      originalOffset: '9223372036854775806',
      key: Buffer.from('alice'),
      value: Buffer.from('{"not":"avro"}'),
      reason: 'malformed_message: magic byte is 123, expected 0',
      failedAt: receivedAt + 10,
    } satisfies DeadLetter,
  },
};

for (const [name, example] of Object.entries(examples)) {
  const file = new URL(`${name}.json`, fixturesDirectory);
  if (existsSync(file)) {
    process.stdout.write(`kept    ${name}.json (fixtures are never rewritten)\n`);
    continue;
  }
  const body = fixtureCodecs[example.schema].encode(example.domain, example.schemaVersion ?? 1);
  const fixture: GoldenFixture = { ...example, avroBodyHex: body.toString('hex') };
  writeFileSync(file, fixtureToJson(fixture));
  process.stdout.write(`written ${name}.json (${body.length} bytes)\n`);
}
