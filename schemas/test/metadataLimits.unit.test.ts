import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkMetadata,
  metadataKeyLengthMax,
  metadataKeysMax,
  metadataValueLengthMax,
  WireContractError,
} from '../src/index.ts';

const refusedAt = (field: string) => (error: unknown) =>
  error instanceof WireContractError && error.code === 'invalid_request' && error.field === field;

void describe('checkMetadata', () => {
  void it('given metadata at every limit, when checked, then it is accepted with sorted keys', () => {
    const metadata: Record<string, string> = { ['z'.repeat(metadataKeyLengthMax)]: '' };
    for (let index = metadataKeysMax - 2; index >= 0; index -= 1) {
      metadata[`k${String(index).padStart(2, '0')}`] = 'v'.repeat(metadataValueLengthMax);
    }
    const checked = checkMetadata(metadata);
    assert.equal(Object.keys(checked).length, metadataKeysMax);
    assert.deepEqual(Object.keys(checked), Object.keys(metadata).sort());
    assert.deepEqual(checked, metadata);
  });

  void it('given one key too many, when checked, then it is refused', () => {
    const metadata = Object.fromEntries(
      Array.from({ length: metadataKeysMax + 1 }, (_, index) => [`k${index}`, 'v']),
    );
    assert.throws(() => checkMetadata(metadata, 'payload.metadata'), refusedAt('payload.metadata'));
  });

  void it('given a key or value over its length, when checked, then the field path names it', () => {
    const longKey = 'a'.repeat(metadataKeyLengthMax + 1);
    assert.throws(
      () => checkMetadata({ [longKey]: 'v' }),
      refusedAt(`metadata.${longKey.slice(0, 64)}`),
    );
    const longValue = 'v'.repeat(metadataValueLengthMax + 1);
    assert.throws(() => checkMetadata({ note: longValue }), refusedAt('metadata.note'));
  });

  void it('given keys that are empty, start with a symbol or contain spaces, when checked, then they are refused', () => {
    for (const key of ['', '_x', '__proto__', 'a b', 'ключ']) {
      assert.throws(() => checkMetadata({ [key]: 'v' }), WireContractError);
    }
  });

  void it('given a non-string value or a non-object, when checked, then it is refused', () => {
    assert.throws(
      () => checkMetadata({ n: 1 } as unknown as Record<string, string>),
      WireContractError,
    );
    assert.throws(
      () => checkMetadata(null as unknown as Record<string, string>),
      WireContractError,
    );
    assert.throws(() => checkMetadata([] as unknown as Record<string, string>), WireContractError);
  });
});
