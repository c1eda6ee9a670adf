import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerError, errorCatalog, type ErrorCode } from '@ledger/runtime';
import { toLedgerError } from '../src/http/problemMiddleware.ts';
import { parsePreferWait } from '../src/http/preferWait.ts';
import { isValidTraceparent, traceparentFor } from '../src/http/traceContext.ts';
import { propagation, type TextMapPropagator } from '@opentelemetry/api';

void describe('problem mapping', () => {
  const bodyParserErrors: ReadonlyArray<[string, ErrorCode]> = [
    ['entity.too.large', 'payload_too_large'],
    ['entity.parse.failed', 'invalid_request'],
    ['charset.unsupported', 'unsupported_media_type'],
    ['encoding.unsupported', 'unsupported_media_type'],
    ['request.aborted', 'invalid_request'],
  ];
  for (const [type, code] of bodyParserErrors) {
    void it(`given body-parser's ${type}, when mapped, then ${code} (${errorCatalog[code].status})`, () => {
      assert.equal(toLedgerError(Object.assign(new Error('x'), { type }))?.code, code);
    });
  }
  void it('given a LedgerError, when mapped, then it is kept; anything else is unknown', () => {
    const error = new LedgerError('rate_limited', 'slow down', { retryAfterSeconds: 1 });
    assert.equal(toLedgerError(error), error);
    assert.equal(toLedgerError(new Error('boom')), undefined);
    assert.equal(toLedgerError('text'), undefined);
  });
});

void describe('Prefer: wait', () => {
  const cases: ReadonlyArray<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['wait=5', 5],
    ['WAIT=5', 5],
    ['respond-async, wait=10', 10],
    ['wait="7"', 7],
    ['wait=31', 30],
    ['wait=0', undefined],
    ['wait=-1', undefined],
    ['wait=1.5', undefined],
    ['wait', undefined],
    ['handling=lenient', undefined],
  ];
  for (const [header, expected] of cases) {
    void it(`given ${JSON.stringify(header)}, when parsed, then ${String(expected)}`, () => {
      assert.equal(parsePreferWait(header), expected);
    });
  }
});

void describe('traceparent', () => {
  const hex = (bytes: number) => 'ab'.repeat(bytes);
  void it('given no incoming trace, when produced, then a new valid unsampled traceparent', () => {
    const value = traceparentFor({}, hex);
    assert.equal(value, `00-${'ab'.repeat(16)}-${'ab'.repeat(8)}-00`);
    assert.ok(isValidTraceparent(value));
  });
  void it('given an incoming trace, when produced, then the trace id and flags continue', () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    assert.equal(
      traceparentFor({ traceparent: incoming }, hex),
      `00-0af7651916cd43dd8448eb211c80319c-${'ab'.repeat(8)}-01`,
    );
  });
  void it('given an invalid incoming trace, when produced, then a new trace starts', () => {
    for (const bad of ['00-' + '0'.repeat(32) + '-b7ad6b7169203331-01', 'ff-x', '00-ABC']) {
      assert.match(
        traceparentFor({ traceparent: bad }, hex),
        new RegExp(`^00-${'ab'.repeat(16)}-`),
      );
    }
  });
  void it('given a registered OpenTelemetry propagator, when produced, then its traceparent is used', () => {
    const injected = '00-11111111111111111111111111111111-2222222222222222-01';
    const propagator: TextMapPropagator = {
      inject: (_context, carrier, setter) => setter.set(carrier, 'traceparent', injected),
      extract: (context) => context,
      fields: () => ['traceparent'],
    };
    propagation.setGlobalPropagator(propagator);
    try {
      assert.equal(traceparentFor({}, hex), injected);
    } finally {
      propagation.disable();
    }
    assert.notEqual(traceparentFor({}, hex), injected, 'back to our own once it is gone');
  });

  void it('given a random source of zeros, when produced, then it refuses rather than emit an invalid id', () => {
    assert.throws(() => traceparentFor({}, (bytes) => '00'.repeat(bytes)), /only zeros/);
  });
});
