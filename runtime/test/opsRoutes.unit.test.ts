import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { closeServer, createOpsServer, listen } from '../src/opsServer.ts';

describe('ops routes', () => {
  let server: Server;
  let base: string;
  let runs = 0;
  let requests = 0;
  let release: () => void = () => undefined;
  let accepting = true;

  before(async () => {
    server = createOpsServer({
      registry: new Registry(),
      readiness: [
        {
          name: 'slow',
          check: () => {
            runs += 1;
            return new Promise<void>((resolve) => (release = resolve));
          },
        },
      ],
      isAccepting: () => accepting,
    });
    server.on('request', () => (requests += 1)); // after the ops handler: it has run by then
    await listen(server, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => closeServer(server));

  it('given a readiness run in flight, when more /readyz arrive, then they share it', async () => {
    const answers = Promise.all([1, 2, 3].map(() => fetch(`${base}/readyz`)));
    await waitFor(() => requests === 3);
    release();
    const responses = await answers;
    assert.deepEqual(
      responses.map((response) => response.status),
      [200, 200, 200],
    );
    assert.equal(runs, 1);
  });

  it('given a finished run, when /readyz comes again, then the checks run again', async () => {
    accepting = false;
    const answer = fetch(`${base}/readyz`);
    await waitFor(() => requests === 4);
    release();
    const response = await answer;
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { status: 'draining', checks: { slow: 'ok' } });
  });

  it('answers 404 on any other path', async () => {
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(condition(), 'condition never held');
}
