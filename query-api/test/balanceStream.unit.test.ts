import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { streamPendingMessagesMax } from '../src/balanceStream.ts';
import { account, change, flushPromises } from './fixtures.ts';
import { inMemoryReadModels, startTestApp, type TestApp } from './appHarness.ts';

type Frame = Record<string, unknown>;

/** A WebSocket client that collects every frame and can wait for a condition on them. */
async function openClient(baseUrl: string) {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/v1/stream`);
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    send: (value: unknown) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    async waitFor(condition: (frames: Frame[]) => boolean, what: string) {
      const deadline = Date.now() + 10_000;
      while (!condition(frames)) {
        if (Date.now() > deadline)
          assert.fail(`timed out waiting for ${what}: ${JSON.stringify(frames)}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

const balances = (frames: Frame[], accountId: string) =>
  frames.filter((frame) => frame.type === 'balance' && frame.accountId === accountId);

void describe('balance stream (/v1/stream)', () => {
  const store = inMemoryReadModels();
  let running: TestApp;

  before(async () => {
    store.accounts.set('alice', account('alice', 3, 300n));
    running = await startTestApp(store.readModels, {
      stream: {
        connectionsMax: 3,
        subscriptionsPerConnectionMax: 5,
        bufferedBytesMax: 1_024,
        heartbeatIntervalMs: 30_000,
      },
    });
  });

  after(async () => {
    await running?.close();
  });

  void it('given a subscription, when changes arrive out of order and duplicated, then the client gets the current balance and then every newer version once, in order', async () => {
    const client = await openClient(running.baseUrl);
    client.send({ subscribe: ['alice', 'bob'] });
    await client.waitFor((frames) => balances(frames, 'alice').length === 1, 'the snapshot');
    assert.deepEqual(client.frames[0], { type: 'subscribed', accountIds: ['alice', 'bob'] });
    assert.deepEqual(balances(client.frames, 'alice')[0], {
      type: 'balance',
      accountId: 'alice',
      balance: '300',
      available: '300',
      version: 3,
    });

    for (const version of [4, 3, 4, 6, 5, 7]) {
      running.app.applyChange(change('alice', version, BigInt(version) * 100n));
    }
    running.app.applyChange(change('bob', 1, 0n)); // bob opens after the subscription
    running.app.applyChange(change('carol', 9, 0n)); // not subscribed
    await client.waitFor((frames) => balances(frames, 'bob').length === 1, 'bob');

    assert.deepEqual(
      balances(client.frames, 'alice').map((frame) => [frame.version, frame.balance]),
      [
        [3, '300'],
        [4, '400'],
        [5, '500'], // 6 came first and waited for it
        [6, '600'],
        [7, '700'],
      ],
    );
    assert.equal(balances(client.frames, 'carol').length, 0);
    client.ws.close();
    await client.closed;
  });

  void it('given an account holding part of its balance, when subscribed (read from the read model, then from the cache) and it changes, then every frame carries its available balance, the balance when a change has none', async () => {
    store.accounts.set('holder', { ...account('holder', 2, 500n), available: 200n });
    const first = await openClient(running.baseUrl);
    first.send({ subscribe: ['holder'] });
    await first.waitFor((frames) => balances(frames, 'holder').length === 1, 'the loaded start');
    const second = await openClient(running.baseUrl);
    second.send({ subscribe: ['holder'] });
    await second.waitFor((frames) => balances(frames, 'holder').length === 1, 'the cached start');

    running.app.applyChange({ ...change('holder', 3, 500n), available: 100n }); // another hold
    running.app.applyChange(change('holder', 4, 450n)); // a writer before holds: none held
    await first.waitFor((frames) => balances(frames, 'holder').length === 3, 'the changes');

    const start = { type: 'balance', accountId: 'holder', balance: '500', available: '200' };
    assert.deepEqual(balances(first.frames, 'holder'), [
      { ...start, version: 2 },
      { ...start, available: '100', version: 3 },
      { ...start, balance: '450', available: '450', version: 4 },
    ]);
    assert.deepEqual(balances(second.frames, 'holder')[0], { ...start, version: 2 });
    first.ws.close();
    second.ws.close();
    await Promise.all([first.closed, second.closed]);
  });

  void it('given an unsubscribe, when the account changes afterwards, then nothing more is pushed for it', async () => {
    const client = await openClient(running.baseUrl);
    client.send({ subscribe: ['alice'] });
    await client.waitFor((frames) => balances(frames, 'alice').length === 1, 'the snapshot');
    client.send({ unsubscribe: ['alice'] });
    await client.waitFor(
      (frames) => frames.some((frame) => frame.type === 'unsubscribed'),
      'the ack',
    );
    running.app.applyChange(change('alice', 100, 1n));
    client.send({ subscribe: ['bob'] }); // a round trip after the change
    await client.waitFor(
      (frames) => frames.filter((f) => f.type === 'subscribed').length === 2,
      'ack',
    );
    assert.equal(balances(client.frames, 'alice').length, 1);
    client.ws.close();
    await client.closed;
  });

  void it('given bad frames, when sent, then each gets an error frame and the connection stays open', async () => {
    const client = await openClient(running.baseUrl);
    client.send('not json');
    client.send({ subscribe: ['bad id'] });
    client.send({ follow: ['alice'] });
    client.ws.send(Buffer.from('{}'), { binary: true });
    client.send({ subscribe: ['a', 'b', 'c', 'd', 'e', 'f'] }); // over 5 per connection
    await client.waitFor((frames) => frames.length === 5, 'five error frames');
    assert.deepEqual(
      client.frames.map((frame) => [frame.type, frame.code]),
      [
        ['error', 'invalid_request'],
        ['error', 'invalid_id'],
        ['error', 'invalid_request'],
        ['error', 'invalid_request'],
        ['error', 'invalid_request'],
      ],
    );
    client.send({ subscribe: ['a', 'b', 'c', 'd', 'e'] });
    client.send({ subscribe: ['f'] }); // the sixth across frames
    await client.waitFor((frames) => frames.length === 7, 'ack and error');
    assert.equal(client.frames[5]?.type, 'subscribed');
    assert.match(String(client.frames[6]?.detail), /at most 5 subscriptions/);
    assert.equal(client.ws.readyState, WebSocket.OPEN);
    client.ws.close();
    await client.closed;
  });

  void it('given connectionsMax open connections, when one more upgrades, then it is refused with 503 overloaded', async () => {
    const clients = [
      await openClient(running.baseUrl),
      await openClient(running.baseUrl),
      await openClient(running.baseUrl),
    ];
    const refused = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/v1/stream`);
    const status = await new Promise<number>((resolve, reject) => {
      refused.once('unexpected-response', (_request, response) =>
        resolve(response.statusCode ?? 0),
      );
      refused.once('open', () => reject(new Error('the fourth connection was accepted')));
    });
    assert.equal(status, 503);
    for (const client of clients) client.ws.close();
    await Promise.all(clients.map((client) => client.closed));
  });

  void it('given a client that stops reading, when changes pile up past bufferedBytesMax, then it is disconnected', async () => {
    const raw = await openRawStream(running.port);
    raw.socket.write(maskedTextFrame(JSON.stringify({ subscribe: ['slow'] })));
    while (!raw.received().includes('subscribed')) await flushPromises();
    raw.socket.pause(); // from now on nothing is read: the kernel buffers fill, then the server's

    let version = 0;
    while (running.app.stream.connectionCount > 0 && version < 5_000_000) {
      for (let index = 0; index < 10_000; index += 1) {
        version += 1;
        running.app.applyChange(change('slow', version, BigInt(version)));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(running.app.stream.connectionCount, 0, `still connected after ${version} changes`);
    raw.socket.destroy();
    await raw.closed;
    assert.equal(await dropCount(running.baseUrl, 'slow'), 1);
  });

  void it('given a client that sends without reading, when the answers to its messages pile up past bufferedBytesMax, then it is disconnected', async () => {
    const before = await dropCount(running.baseUrl, 'slow');
    const raw = await openRawStream(running.port);
    raw.socket.pause(); // nothing is read: each answer (an error frame) stays buffered
    const batch = Buffer.concat(Array.from({ length: 10_000 }, () => maskedTextFrame('not json')));
    let sent = 0;
    while (running.app.stream.connectionCount > 0 && sent < 2_000_000) {
      raw.socket.write(batch);
      sent += 10_000;
      await flushPromises();
    }
    assert.equal(running.app.stream.connectionCount, 0, `still connected after ${sent} messages`);
    raw.socket.destroy();
    await raw.closed;
    assert.equal(await dropCount(running.baseUrl, 'slow'), before + 1);
  });

  void it('given streamPendingMessagesMax messages sent at once, when they are handled, then each is answered and the connection stays open', async () => {
    const client = await openClient(running.baseUrl);
    for (let index = 0; index < streamPendingMessagesMax; index += 1) {
      client.send({ unsubscribe: ['alice'] });
    }
    await client.waitFor((frames) => frames.length === streamPendingMessagesMax, 'every answer');
    assert.ok(client.frames.every((frame) => frame.type === 'unsubscribed'));
    assert.equal(client.ws.readyState, WebSocket.OPEN);
    client.ws.close();
    await client.closed;
  });

  void it('given a client that sends faster than its messages are handled, when more than streamPendingMessagesMax wait, then the connection is closed with 1008 and counted', async () => {
    const before = await dropCount(running.baseUrl, 'pending_messages_max');
    const client = await openClient(running.baseUrl);
    const reason = new Promise<string>((resolve) =>
      client.ws.once('close', (_code, text: Buffer) => resolve(text.toString())),
    );
    // In one turn: the server reads them together and queues them before it handles the first.
    for (let index = 0; index < 4 * streamPendingMessagesMax; index += 1) {
      client.send({ subscribe: ['alice'] });
    }
    await client.waitFor(() => client.ws.readyState === WebSocket.CLOSED, 'the close');
    assert.equal(await client.closed, 1008);
    assert.equal(await reason, `more than ${streamPendingMessagesMax} messages pending`);
    assert.equal(await dropCount(running.baseUrl, 'pending_messages_max'), before + 1);
    while (running.app.stream.connectionCount > 0) await flushPromises();
  });
});

/** A WebSocket opened by hand on a raw socket, so the test decides when it stops reading. */
async function openRawStream(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // the server may cut it off while the test still writes
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    'GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  while (!received.includes('\r\n\r\n')) await flushPromises();
  assert.match(received, /^HTTP\/1.1 101/);
  return { socket, closed, received: () => received };
}

/** query_api_stream_drops_total for one reason, read from /metrics (0 before the first). */
async function dropCount(baseUrl: string, reason: string): Promise<number> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = new RegExp(
    `^query_api_stream_drops_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)$`,
    'm',
  );
  return Number(line.exec(metrics)?.[1] ?? 0);
}

/** A client text frame (clients must mask; a zero mask leaves the bytes as they are). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 126);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}
