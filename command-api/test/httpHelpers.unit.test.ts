import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingHttpHeaders } from 'node:http';
import {
  LedgerError,
  contextOfHeaders,
  errorCatalog,
  maskAccountId,
  startTracing,
  type ErrorCode,
} from '@ledger/runtime';
import { toLedgerError } from '../src/http/problemMiddleware.ts';
import { parsePreferWait } from '../src/http/preferWait.ts';
import type { AcceptedCommand } from '../src/commands.ts';
import { isValidTraceparent, startCommandsSend } from '../src/http/traceContext.ts';

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
  // The SDK as every service registers it (runtime's tracing.ts): nothing exported, parent-based.
  startTracing('command-api-test');
  const traceparentFor = (headers: IncomingHttpHeaders) => {
    const send = startCommandsSend('ledger.commands', [], contextOfHeaders(headers));
    send.span.end();
    return send.traceparent ?? '';
  };
  const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  void it('given no incoming trace, when produced, then the propagator writes a new unsampled trace', () => {
    const first = traceparentFor({});
    const second = traceparentFor({});
    assert.ok(isValidTraceparent(first), first);
    assert.match(first, /-00$/, 'nothing asked to record it, nothing exports it');
    assert.notEqual(first.split('-')[1], second.split('-')[1], 'a new trace each time');
  });
  void it('given an incoming trace, when produced, then the trace id and flags continue under a new parent id', () => {
    const value = traceparentFor({ traceparent: incoming });
    assert.match(value, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    assert.notEqual(value.split('-')[2], 'b7ad6b7169203331', 'this hop is a span of its own');
  });
  void it('given an invalid incoming trace, when produced, then a new trace starts', () => {
    for (const bad of ['00-' + '0'.repeat(32) + '-b7ad6b7169203331-01', 'ff-x', '00-ABC']) {
      const value = traceparentFor({ traceparent: bad });
      assert.ok(isValidTraceparent(value), value);
      assert.doesNotMatch(value, /^00-0{32}-/);
    }
  });
  void it('given an incoming trace, when the send span records, then it is the child of the caller and masks accounts', () => {
    const send = startCommandsSend(
      'ledger.commands',
      [
        {
          commandId: 'c-1',
          requestHash: 'h',
          receivedAt: 0,
          metadata: {},
          payload: {
            type: 'Transfer',
            transferId: 't-1',
            fromAccountId: 'alice-account',
            toAccountId: 'bob-account',
            amount: 5n,
            currency: 'USD',
          },
        } as unknown as AcceptedCommand,
      ],
      contextOfHeaders({ traceparent: incoming }),
    );
    assert.ok(send.span.isRecording(), 'a sampled caller is recorded');
    assert.equal(send.span.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    send.span.end();
    const attributes = (send.span as unknown as { attributes: Record<string, unknown> }).attributes;
    assert.equal(attributes['ledger.command_id'], 'c-1');
    assert.equal(attributes['ledger.from_account_id'], maskAccountId('alice-account'));
    assert.equal(attributes['ledger.to_account_id'], maskAccountId('bob-account'));
  });
});
