import { createLedgerProducer } from '@ledger/runtime';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { opened } from './eventFixtures.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

void describe('projector as an operating-system process', () => {
  let env: LedgerTestEnvironment;

  before(async () => {
    env = await createLedgerTestEnvironment('projector process');
  });

  after(async () => {
    await env?.teardown();
  });

  void it('given main.ts running, when an event arrives and then SIGTERM, then it projects the event, stops cleanly and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'projector/src/main.ts'], {
      cwd: repoRoot,
      env: env.env({ LEDGER_PROJECTOR_PORT: '0', LEDGER_LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      await waitUntil(() => output.includes('"msg":"consuming"'), `consuming: ${output}`);
      const producer = createLedgerProducer(env.kafka);
      await producer.connect();
      await producer
        .send({
          topic: env.topics.events,
          acks: -1,
          messages: [{ key: 'dora', value: env.serde.encodeEvent(opened('dora', Date.now())) }],
        })
        .finally(() => producer.disconnect());
      await waitUntil(
        async () =>
          (await env.pool.query(`select 1 from account_view where account_id = 'dora'`))
            .rowCount === 1,
        'dora projected',
      );
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0, output.slice(-2000));
    assert.match(output, /"msg":"stopped"/);
  });
});
