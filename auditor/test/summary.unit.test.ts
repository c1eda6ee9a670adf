import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFollowClock } from '../src/followClock.ts';
import { createLogDigest } from '../src/logDigest.ts';
import {
  readSigningKey,
  signSummary,
  summaryFormat,
  verifySummary,
  writeNewKey,
  type AuditSummary,
  type SignedSummary,
} from '../src/signedSummary.ts';
import { formatViolation } from '../src/violationReport.ts';

type Message = readonly [partition: number, offset: string, value: string];
const messages: readonly Message[] = [
  [0, '0', 'a'],
  [1, '0', 'bb'],
  [0, '1', 'ccc'],
  [1, '1', 'd'],
];

function digestOf(order: readonly Message[]) {
  const digest = createLogDigest(2);
  for (const [partition, offset, value] of order) digest.add(partition, offset, Buffer.from(value));
  return digest;
}

function summaryOf(digest = digestOf(messages)): AuditSummary {
  return {
    format: summaryFormat,
    topic: 'ledger.events',
    mode: 'bounded',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    messagesRead: 4,
    totals: {
      eventsByType: { AccountOpened: 2, TransferPosted: 2 },
      identicalDuplicates: 0,
      postedByCurrency: { USD: { transfers: 2, amount: '300' } },
      pendingByCurrency: { USD: { transfers: 1, amount: '40' } },
      accountsOpened: 2,
      accountsByStatus: { open: 1, frozen: 0, closed: 1 },
      accountChanges: { freeze: 1, unfreeze: 0, close: 1, update_metadata: 0 },
      finalBalanceSumByCurrency: { USD: '0' },
    },
    chains: { heads: { '0': { sequence: 4, hash: 'ab'.repeat(32) } }, unchainedEvents: 0 },
    partitions: digest.partitions(),
    eventsSha256: digest.digest(),
  };
}

describe('events digest', () => {
  it('given the same log read with partitions interleaved differently, when digested, then the digest is the same', () => {
    const interleaved = digestOf(messages);
    const partitionByPartition = digestOf([1, 3, 0, 2].map((i) => messages[i]!));
    assert.equal(interleaved.digest(), partitionByPartition.digest());
  });

  it("given one partition's messages, when digested, then its hash is SHA-256 over length-prefixed values (kcat -f '%R%s')", () => {
    const framed = Buffer.concat([
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('a'),
      Buffer.from([0, 0, 0, 3]),
      Buffer.from('ccc'),
    ]);
    const [partition0] = digestOf(messages).partitions();
    assert.deepEqual(partition0, {
      partition: 0,
      firstOffset: '0',
      lastOffset: '1',
      messages: 2,
      sha256: createHash('sha256').update(framed).digest('hex'),
    });
  });

  it('given a changed or a dropped message, when digested, then the digest changes', () => {
    const original = digestOf(messages).digest();
    assert.notEqual(digestOf([...messages.slice(0, 3), [1, '1', 'e']]).digest(), original);
    assert.notEqual(digestOf(messages.slice(0, 3)).digest(), original);
  });
});

describe('signed summary', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' });

  it('given a summary signed with a key, when verified with its public key, then it verifies after a JSON round trip', () => {
    const signed = JSON.parse(
      JSON.stringify(signSummary(summaryOf(), privateKey)),
    ) as SignedSummary;
    assert.deepEqual(verifySummary(signed, publicPem), []);
  });

  it('given a summary written before holds (no pendingByCurrency), when verified, then it still verifies: the format only gained a field', () => {
    const { pendingByCurrency: _absent, ...before } = summaryOf().totals;
    const older = { ...summaryOf(), totals: before } as unknown as AuditSummary;
    const signed = JSON.parse(JSON.stringify(signSummary(older, privateKey))) as SignedSummary;
    assert.equal(signed.summary.format, summaryFormat);
    assert.deepEqual(verifySummary(signed, publicPem), []);
  });

  it('given a summary written before account changes (no accountsByStatus, accountChanges), when verified, then it still verifies', () => {
    const { accountsByStatus: _status, accountChanges: _changes, ...before } = summaryOf().totals;
    const older = { ...summaryOf(), totals: before } as unknown as AuditSummary;
    const signed = JSON.parse(JSON.stringify(signSummary(older, privateKey))) as SignedSummary;
    assert.equal(signed.summary.format, summaryFormat);
    assert.deepEqual(verifySummary(signed, publicPem), []);
  });

  it('given a signed summary whose account statuses were changed, when verified, then the signature does not match', () => {
    const signed = signSummary(summaryOf(), privateKey);
    const totals = {
      ...signed.summary.totals,
      accountsByStatus: { open: 2, frozen: 0, closed: 0 },
    };
    const tampered = { ...signed, summary: { ...signed.summary, totals } };
    assert.deepEqual(verifySummary(tampered, publicPem), [
      'the signature does not match the summary',
    ]);
  });

  it('given a signed summary with a changed total, when verified, then the signature does not match', () => {
    const signed = signSummary(summaryOf(), privateKey);
    const tampered = {
      ...signed,
      summary: { ...signed.summary, totals: { ...signed.summary.totals, accountsOpened: 3 } },
    };
    assert.deepEqual(verifySummary(tampered, publicPem), [
      'the signature does not match the summary',
    ]);
  });

  it('given another key, an unsigned summary or partition lines that do not give the digest, when verified, then each is named', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
    const problems = verifySummary(signSummary(summaryOf(), privateKey), other);
    assert.match(problems[0] ?? '', /not by this key/);
    assert.deepEqual(verifySummary(signSummary(summaryOf(), undefined), publicPem), [
      'the summary is unsigned',
    ]);
    const summary = { ...summaryOf(), eventsSha256: '0'.repeat(64) };
    assert.deepEqual(verifySummary(signSummary(summary, privateKey), publicPem), [
      'eventsSha256 is not the digest of the partition lines',
    ]);
  });

  it('given --new-key FILE, when written, then the private key is mode 600, loads, and is never overwritten', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-key-')), 'signing.pem');
    const { publicKeyFile } = writeNewKey(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const signed = signSummary(summaryOf(), readSigningKey(file));
    assert.deepEqual(verifySummary(signed, readFileSync(publicKeyFile)), []);
    assert.throws(() => writeNewKey(file), /EEXIST/);
  });
});

describe('follow clock and violation report', () => {
  it('given end offsets recorded each tick, when the reader passes them, then the caught-up time moves to the newest passed', () => {
    const clock = createFollowClock();
    clock.record(
      1_000,
      new Map([
        [0, 5n],
        [1, 2n],
      ]),
    );
    clock.record(
      2_000,
      new Map([
        [0, 9n],
        [1, 2n],
      ]),
    );
    assert.equal(
      clock.update(
        new Map([
          [0, 5n],
          [1, 1n],
        ]),
      ),
      Number.NEGATIVE_INFINITY,
    );
    assert.equal(
      clock.update(
        new Map([
          [0, 6n],
          [1, 2n],
        ]),
      ),
      1_000,
    );
    assert.equal(
      clock.update(
        new Map([
          [0, 9n],
          [1, 2n],
        ]),
      ),
      2_000,
    );
  });

  it('given a violation, when formatted, then the account id is masked and the event is located', () => {
    const text = formatViolation({
      kind: 'balance_mismatch',
      event: {
        topic: 't',
        partition: 2,
        offset: '17',
        eventId: 'e-1',
        eventType: 'TransferPosted',
      },
      accountId: 'customer-12345',
      expected: 'x',
      found: 'y',
    });
    assert.match(text, /t partition 2 offset 17/);
    assert.match(text, /account: {2}cu\*+45/);
    assert.doesNotMatch(text, /customer-12345/);
  });
});
