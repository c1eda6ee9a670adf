import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { answerClientErrors, closeServer, createLogger, listen } from '../src/index.ts';

/** Writes raw bytes on a fresh connection and reads everything until the server closes it. */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

void describe('requests node refuses to parse', () => {
  let server: Server;
  let port: number;
  let handled = 0;
  before(async () => {
    server = createServer((_request, response) => {
      handled += 1;
      response.end();
    });
    answerClientErrors(server, createLogger({ level: 'error', write: () => undefined }));
    await listen(server, 0, '127.0.0.1');
    port = (server.address() as AddressInfo).port;
  });
  after(() => closeServer(server));

  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  void it('given a request target with a byte outside ASCII, when sent, then a 400 invalid_request problem document and the connection closes', async () => {
    const answer = await exchange(
      port,
      latin1('GET /v1/accounts/\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 400 /);
    assert.match(head, /\r\nContent-Type: application\/problem\+json\r\n/);
    assert.match(head, /\r\nConnection: close/);
    const problem = JSON.parse(body) as { code: string; status: number };
    assert.equal(problem.code, 'invalid_request');
    assert.equal(problem.status, 400);
    assert.equal(handled, 0);
  });

  void it('given headers over the size limit, when sent, then the same problem document', async () => {
    const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    const answer = await exchange(port, latin1(huge));
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /"code":"invalid_request"/);
  });

  void it('given a HEAD request node refuses, when sent, then the problem headers without a body', async () => {
    const answer = await exchange(port, latin1('HEAD /\u00ff HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /\r\nContent-Type: application\/problem\+json\r\n/);
    assert.ok(answer.endsWith('\r\n\r\n'), answer);
  });
});
