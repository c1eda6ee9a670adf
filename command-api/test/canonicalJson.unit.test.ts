import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, requestHashOf, sha256Hex } from '../src/validation/canonicalJson.ts';

void describe('canonical JSON', () => {
  void it('given keys in any order, when serialised, then the text is the same', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: 'x', c: [2, 1] } }),
      '{"a":{"c":[2,1],"d":"x"},"b":1}',
    );
    assert.equal(
      canonicalJson({ a: { c: [2, 1], d: 'x' }, b: 1 }),
      canonicalJson({ b: 1, a: { d: 'x', c: [2, 1] } }),
    );
  });

  void it('given bigints, nulls and undefined fields, when serialised, then bigints are strings and undefined drops', () => {
    assert.equal(
      canonicalJson({ amount: 9_223_372_036_854_775_807n, none: null, skip: undefined }),
      '{"amount":"9223372036854775807","none":null}',
    );
  });

  void it('given strings needing escapes and non-ASCII keys, when serialised, then they are JSON-escaped and sorted by code unit', () => {
    assert.equal(canonicalJson({ é: '"q"', Z: '\n', a: '' }), '{"Z":"\\n","a":"","é":"\\"q\\""}');
  });

  void it('given a float, when serialised, then it refuses (no float on the money path)', () => {
    assert.throws(() => canonicalJson({ amount: 10.5 }), /non-canonical/);
  });

  void it('given content, when hashed, then it is the sha-256 hex of the canonical text', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(requestHashOf({ b: '2', a: '1' }), sha256Hex('{"a":"1","b":"2"}'));
  });
});
