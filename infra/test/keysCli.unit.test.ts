import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { createApiKeys, isApiKeyRefusal, readApiKeyFile } from '@ledger/runtime';
import { runKeysCommand } from '../src/apiKeys/keysCommand.ts';

const directory = mkdtempSync(join(tmpdir(), 'ledger-keys-cli-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const repoRoot = new URL('../../', import.meta.url).pathname;

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runKeysCommand(argv, {
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => new Date('2026-11-23T10:00:00.000Z'),
  });
  return { code, out, err: err.join('\n') };
}

void describe('keys CLI', () => {
  void it('given create, when run, then the key is printed once on stdout alone and the file holds only its hash', () => {
    const file = join(directory, 'create.json');
    const created = run([
      'create',
      '--scopes',
      'accounts:read,transfers:write',
      '--account-prefix',
      'acme-',
      '--name',
      'acme app',
      '--file',
      file,
    ]);
    assert.equal(created.code, 0, created.err);
    assert.equal(created.out.length, 1);
    const secret = created.out[0] ?? '';
    assert.match(secret, /^lk_[0-9a-f]{16}_/);
    assert.ok(!readFileSync(file, 'utf8').includes(secret.slice(20)), 'no secret in the file');
    assert.ok(!created.err.includes(secret), 'no secret on stderr');
    const [record] = readApiKeyFile(file);
    assert.deepEqual(record?.scopes, ['accounts:read', 'transfers:write']);
    assert.equal(record?.accountPrefix, 'acme-');
    assert.equal(record?.name, 'acme app');
    assert.equal(record?.createdAt, '2026-11-23T10:00:00.000Z');

    const principal = createApiKeys({ file: readApiKeyFile(file) }).authenticate(
      `Bearer ${secret}`,
    );
    assert.ok(!isApiKeyRefusal(principal));
    assert.equal(principal.accountPrefix, 'acme-');
  });

  void it('given keys, when listed and one revoked, then list shows ids and status, never hashes, and the revoked key stops authenticating', () => {
    const file = join(directory, 'revoke.json');
    const env = { LEDGER_API_KEYS_FILE: file };
    const keep = run(['create', '--scopes', 'ops:read'], env);
    const drop = run(['create', '--scopes', 'accounts:read'], env);
    const [kept, dropped] = readApiKeyFile(file);
    assert.ok(kept !== undefined && dropped !== undefined);

    assert.equal(run(['revoke', dropped.id], env).code, 0);
    assert.equal(run(['revoke', dropped.id], env).code, 0, 'revoking twice is harmless');
    assert.equal(run(['revoke', '0000000000000000'], env).code, 1);

    const listed = run(['list'], env);
    assert.equal(listed.code, 0);
    assert.equal(listed.out.length, 3);
    assert.match(listed.out[1] ?? '', new RegExp(`^${kept.id}\tactive\tops:read\t-\t`));
    assert.match(listed.out[2] ?? '', new RegExp(`^${dropped.id}\trevoked 2026-11-23T10:00:00`));
    assert.ok(listed.out.every((line) => !line.includes('sha256')));

    const apiKeys = createApiKeys({ file: readApiKeyFile(file) });
    assert.ok(!isApiKeyRefusal(apiKeys.authenticate(`Bearer ${keep.out[0] ?? ''}`)));
    assert.ok(isApiKeyRefusal(apiKeys.authenticate(`Bearer ${drop.out[0] ?? ''}`)));
  });

  void it('given bad arguments, when run, then usage and exit 2, and no file is written', () => {
    const file = join(directory, 'bad.json');
    for (const argv of [
      [],
      ['create'],
      ['create', '--scopes', 'accounts:delete'],
      ['create', '--scopes', 'accounts:read', '--account-prefix', '-acme'],
      ['create', '--scopes', 'accounts:read', '--colour', 'blue'],
      ['create', '--scopes'],
      ['list', 'extra'],
      ['revoke'],
      ['rotate'],
    ]) {
      const answer = run([...argv, '--file', file]);
      assert.equal(answer.code, 2, `${argv.join(' ')}: ${answer.err}`);
      assert.match(answer.err, /usage: npm run keys/);
    }
    assert.equal(run(['list']).code, 2, 'no file named');
    assert.throws(() => readFileSync(file), /ENOENT/);
  });

  void it('given the npm script entry point, when run as a process, then the exit status and streams are the command’s', async () => {
    const file = join(directory, 'process.json');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/src/cli/keysCli.ts', 'create', '--scopes', 'accounts:read'],
      { cwd: repoRoot, env: { ...process.env, LEDGER_API_KEYS_FILE: file } },
    );
    assert.match(stdout, /^lk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    assert.match(stderr, /created key [0-9a-f]{16}/);
    await assert.rejects(
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/src/cli/keysCli.ts'], {
        cwd: repoRoot,
      }),
      (error: { code?: number }) => error.code === 2,
    );
  });
});
