import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { rawHeaderOf, requestIdOf } from '../src/http/httpSupport.ts';

const requestWith = (...rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;
const ids = () => 'generated';

void describe('httpSupport raw headers', () => {
  void it('given a header in any case, when read from rawHeaders, then its value is found', () => {
    const request = requestWith('Host', 'x', 'AUTHORIZATION', 'Bearer k');
    assert.equal(rawHeaderOf(request, 'authorization', 'first'), 'Bearer k');
    assert.equal(rawHeaderOf(request, 'x-request-id', 'first'), undefined);
  });

  void it('given Authorization twice, when read, then the first one counts, as node keeps it', () => {
    const request = requestWith('authorization', 'Bearer a', 'Authorization', 'Bearer b');
    assert.equal(rawHeaderOf(request, 'authorization', 'first'), 'Bearer a');
  });

  void it('given X-Request-Id once, twice or not sane, when the request id is chosen, then only a single sane one is echoed', () => {
    assert.equal(requestIdOf(requestWith('X-Request-Id', 'abc-1'), ids), 'abc-1');
    assert.equal(
      requestIdOf(requestWith('x-request-id', 'a', 'X-Request-ID', 'b'), ids),
      'generated',
      'node would join them as "a, b", which is not a sane id',
    );
    assert.equal(requestIdOf(requestWith('x-request-id', 'has space'), ids), 'generated');
    assert.equal(requestIdOf(requestWith(), ids), 'generated');
  });
});
