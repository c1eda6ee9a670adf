import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LedgerError } from '@ledger/runtime';
import {
  checkDecodedId,
  decodePathId,
  idPattern,
  pathDecodeErrorAsInvalidId,
} from '../src/index.ts';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof LedgerError ? error.code : `not a LedgerError: ${String(error)}`;
  }
}

/** express 4's own step (router/layer.js `decode_param`), to check both paths agree. */
function expressDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    Object.assign(error as object, { status: 400 });
    throw error;
  }
}

const idCharacters = [...'ABCXYZabcxyz0189_.:-'];
const validId = fc
  .tuple(
    fc.constantFrom(...'Aa0z9'),
    fc.string({ unit: fc.constantFrom(...idCharacters), maxLength: 63 }),
  )
  .map(([first, rest]) => first + rest);
const percentEncodedEach = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)
    .join('');

void describe('ids in URL paths', () => {
  void it('given valid ids, plain or percent-encoded, when decoded, then the id comes out once decoded', () => {
    assert.equal(decodePathId('alice', 'accountId'), 'alice');
    assert.equal(decodePathId('a.b_c:d-e', 'accountId'), 'a.b_c:d-e');
    assert.equal(decodePathId('%61lice', 'accountId'), 'alice');
    assert.equal(decodePathId('a%3Ab', 'accountId'), 'a:b');
    assert.equal(checkDecodedId('alice', 'accountId'), 'alice');
  });

  const refused: [string, string][] = [
    ['-alice', 'a leading dash'],
    ['al ice', 'a space'],
    ['al%20ice', 'an encoded space'],
    ['%zz', 'a malformed escape'],
    ['%ZZ', 'a malformed escape (upper case)'],
    ['%', 'a lone percent sign'],
    ['abc%4', 'a truncated escape'],
    ['%C0%AE%C0%AE', 'overlong UTF-8 dots'],
    ['%ED%A0%80x', 'an encoded lone surrogate'],
    ['%FF', 'a byte that is never UTF-8'],
    ['%2e%2e', 'encoded dots (traversal)'],
    ['ali%2Fce', 'an encoded slash'],
    ['%2541', 'a double-encoded letter (decoded once only)'],
    ['a'.repeat(65), 'an over-long id'],
    ['', 'an empty segment'],
    ['é', 'a non-ASCII letter'],
  ];
  for (const [raw, why] of refused) {
    void it(`given ${why} (${raw.slice(0, 20)}), when decoded, then invalid_id`, () => {
      assert.equal(
        codeOf(() => decodePathId(raw, 'accountId')),
        'invalid_id',
      );
    });
  }

  void it('given an id express could not decode, when mapped, then invalid_id without the raw segment', () => {
    let thrown: unknown;
    try {
      expressDecode('%ZZsecret');
    } catch (error) {
      thrown = error;
    }
    const mapped = pathDecodeErrorAsInvalidId(thrown);
    assert.ok(mapped !== undefined);
    assert.equal(mapped.code, 'invalid_id');
    assert.equal(mapped.status, 400);
    assert.doesNotMatch(mapped.detail, /secret/);
    assert.equal(pathDecodeErrorAsInvalidId(new URIError('ours')), undefined, 'not from express');
    assert.equal(pathDecodeErrorAsInvalidId(new Error('x')), undefined);
    assert.equal(pathDecodeErrorAsInvalidId('text'), undefined);
  });

  void it('given any string as a raw segment, when decoded, then an id matching the pattern or invalid_id, as express plus checkDecodedId gives', () => {
    const rawSegment = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({
        unit: fc.constantFrom('%', '2', 'e', 'E', 'C0', 'AE', 'F', 'a', '/', '.'),
        maxLength: 24,
      }),
      validId.map(percentEncodedEach),
    );
    fc.assert(
      fc.property(rawSegment, (raw) => {
        let ours: string | LedgerError;
        try {
          ours = decodePathId(raw, 'id');
        } catch (error) {
          assert.ok(error instanceof LedgerError, String(error));
          assert.equal(error.code, 'invalid_id');
          ours = error;
        }
        let theirs: string | LedgerError;
        try {
          theirs = checkDecodedId(expressDecode(raw), 'id');
        } catch (error) {
          const mapped = pathDecodeErrorAsInvalidId(error);
          theirs = mapped ?? (error as LedgerError);
        }
        if (typeof ours === 'string') {
          assert.match(ours, idPattern);
          assert.equal(theirs, ours);
        } else {
          assert.ok(theirs instanceof LedgerError);
          assert.equal(theirs.code, 'invalid_id');
        }
      }),
      { seed: 16, numRuns: 2_000, includeErrorInReport: true },
    );
  });

  void it('given any valid id, when every byte is percent-encoded, then it decodes to itself', () => {
    fc.assert(
      fc.property(validId, (id) => {
        assert.equal(decodePathId(percentEncodedEach(id), 'id'), id);
        assert.equal(decodePathId(encodeURIComponent(id), 'id'), id);
      }),
      { seed: 16, numRuns: 500, includeErrorInReport: true },
    );
  });
});
