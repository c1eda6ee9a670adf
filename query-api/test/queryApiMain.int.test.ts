import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  createLedgerTestEnvironment,
  waitUntil,
  type LedgerTestEnvironment,
} from '@ledger/testing';
import { WebSocket } from 'ws';

/**
 * The shell as operators run it: main.ts in its own process, configured by environment only.
 * SIGTERM must close stream clients with 1001, stop the consumer (deleting its group), drain and
 * exit 0.
 */
const mainPath = fileURLToPath(new URL('../src/main.ts', import.meta.url));

void describe('query-api main process', () => {
  let env: LedgerTestEnvironment;
  let child: ChildProcess | undefined;

  before(async () => {
    env = await createLedgerTestEnvironment('query-api-main');
  });

  after(async () => {
    child?.kill('SIGKILL');
    await env?.teardown();
  });

  void it('given main.ts listening, when SIGTERM arrives, then streams close with 1001, the consumer group is deleted and it exits 0', async () => {
    await env.pool.query(
      `insert into accounts (id, currency, overdraft_limit, status, balance, version, metadata,
                             created_at, opened_by_command_id, open_request_hash)
       values ('alice', 'USD', 0, 'open', 42, 1, '{}', now(), 'c-alice', 'h-alice')`,
    );
    const instanceId = `main-${process.pid}`;
    const lines: Record<string, unknown>[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
      env: env.env({
        LEDGER_QUERY_API_PORT: '0',
        LEDGER_QUERY_API_HOST: '127.0.0.1',
        LEDGER_QUERY_API_INSTANCE_ID: instanceId,
        LEDGER_LOG_LEVEL: 'info',
      }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete)
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) =>
      child?.once('exit', (code) => resolve(code)),
    );

    await waitUntil(
      () => lines.some((line) => line.msg === 'listening'),
      'main.ts listening',
      60_000,
    );
    const listening = lines.find((line) => line.msg === 'listening');
    const base = `http://127.0.0.1:${String(listening?.port)}`;
    assert.equal(listening?.group, `${env.prefix}.query-api.${instanceId}`);
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 'ready', 30_000);
    const balance = (await (await fetch(`${base}/v1/accounts/alice/balance`)).json()) as {
      balance: string;
    };
    assert.equal(balance.balance, '42');

    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/stream`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closeCode = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    child.kill('SIGTERM');
    assert.equal(await closeCode, 1001);
    assert.equal(await exited, 0);
    assert.ok(lines.some((line) => line.msg === 'stopped'));

    const admin = env.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      assert.ok(
        !groups.some((group) => group.groupId === listening?.group),
        'the instance deleted its consumer group',
      );
    } finally {
      await admin.disconnect();
    }
  });
});
