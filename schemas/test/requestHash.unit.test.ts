import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalRequest,
  requestHashOf,
  requestHashPattern,
  type ChangeAccount,
  type Transfer,
} from '../src/index.ts';

const transfer: Transfer = {
  type: 'Transfer',
  transferId: 't-1',
  fromAccountId: 'alice',
  toAccountId: 'bob',
  amount: 1000n,
  currency: 'USD',
  metadata: { a: '1', b: '2' },
};

void describe('requestHashOf', () => {
  void it('given a transfer, when hashed, then it is the SHA-256 of the pinned canonical form', () => {
    // Pinned: changing the canonical form makes every stored hash mismatch, so client retries
    // of commands accepted before the change would be answered as idempotency conflicts.
    assert.equal(
      canonicalRequest(transfer),
      '["Transfer","t-1","alice","bob","1000","USD",[["a","1"],["b","2"]]]',
    );
    const hash = requestHashOf(transfer);
    assert.match(hash, requestHashPattern);
    assert.equal(hash, '16f7d612807749e5009832a90a0bb5c2a28c56ce907f388d8a1c49bdd6bb334e');
  });

  void it('given the same metadata in another key order, when hashed, then the hash is the same', () => {
    const reordered = { ...transfer, metadata: { b: '2', a: '1' } };
    assert.equal(requestHashOf(reordered), requestHashOf(transfer));
  });

  void it('given any field changed, when hashed, then the hash differs', () => {
    const base = requestHashOf(transfer);
    const variants: Transfer[] = [
      { ...transfer, amount: 1001n },
      { ...transfer, toAccountId: 'carol' },
      { ...transfer, currency: 'EUR' },
      { ...transfer, metadata: { a: '1' } },
      { ...transfer, metadata: { a: '1', b: '3' } },
    ];
    for (const variant of variants) assert.notEqual(requestHashOf(variant), base);
  });

  void it('given an open-account and a transfer with look-alike fields, when hashed, then they differ', () => {
    const open = {
      type: 'OpenAccount',
      accountId: 't-1',
      currency: 'USD',
      overdraftLimit: 0n,
      metadata: {},
    } as const;
    assert.notEqual(requestHashOf(open), requestHashOf(transfer));
  });

  void it('given an account change, when hashed, then it is the SHA-256 of the pinned canonical form', () => {
    const freeze: ChangeAccount = { type: 'ChangeAccount', accountId: 'alice', change: 'freeze' };
    assert.equal(canonicalRequest(freeze), '["ChangeAccount","alice","freeze",null,null]');
    const update: ChangeAccount = {
      type: 'ChangeAccount',
      accountId: 'alice',
      change: 'update_metadata',
      metadata: { b: '2', a: '1' },
      expectedRevision: 3,
    };
    assert.equal(
      canonicalRequest(update),
      '["ChangeAccount","alice","update_metadata",[["a","1"],["b","2"]],3]',
    );
    assert.equal(
      requestHashOf(freeze),
      'a2f22508fb49010ca34e898e8e3e3c08069a90ec2a51311e137fddad80839d37',
    );
  });

  void it('given account changes differing in one field, when hashed, then the hashes differ', () => {
    const base: ChangeAccount = {
      type: 'ChangeAccount',
      accountId: 'alice',
      change: 'update_metadata',
      metadata: { a: '1' },
    };
    const variants: ChangeAccount[] = [
      { ...base, accountId: 'bob' },
      { ...base, metadata: { a: '2' } },
      { ...base, metadata: {} },
      { ...base, expectedRevision: 1 },
      { type: 'ChangeAccount', accountId: 'alice', change: 'freeze' },
      { type: 'ChangeAccount', accountId: 'alice', change: 'unfreeze' },
      { type: 'ChangeAccount', accountId: 'alice', change: 'close' },
    ];
    const hashes = new Set([base, ...variants].map(requestHashOf));
    assert.equal(hashes.size, variants.length + 1);
    assert.equal(
      requestHashOf({ ...base, metadata: { a: '1' } }),
      requestHashOf(base),
      'equal changes hash alike',
    );
  });
});
