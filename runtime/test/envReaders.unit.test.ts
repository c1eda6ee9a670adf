import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionTimeoutMsFromEnv } from '../src/kafkaClient.ts';
import { listFromEnv } from '../src/limits.ts';
import { readServiceConfig } from '../src/serviceShell.ts';

describe('environment readers', () => {
  it('given a comma list with blanks, when read, then the trimmed entries come back', () => {
    assert.deepEqual(listFromEnv({ KEYS: ' a, ,b,,c ' }, 'KEYS', 3), ['a', 'b', 'c']);
    assert.deepEqual(listFromEnv({}, 'KEYS', 3), []);
  });

  it('given more entries than the limit, when read, then the start stops naming the variable', () => {
    assert.throws(
      () => listFromEnv({ KEYS: 'a,b,c' }, 'KEYS', 2),
      /KEYS holds 3 entries, at most 2/,
    );
  });

  it('given a session timeout outside the broker defaults, when read, then the start stops', () => {
    assert.equal(sessionTimeoutMsFromEnv({}, 'TIMEOUT_MS'), 6_000);
    assert.equal(sessionTimeoutMsFromEnv({ TIMEOUT_MS: '6000' }, 'TIMEOUT_MS'), 6_000);
    assert.throws(
      () => sessionTimeoutMsFromEnv({ TIMEOUT_MS: '5999' }, 'TIMEOUT_MS'),
      /TIMEOUT_MS/,
    );
    assert.throws(
      () => sessionTimeoutMsFromEnv({ TIMEOUT_MS: '300001' }, 'TIMEOUT_MS'),
      /TIMEOUT_MS/,
    );
  });

  it('given no settings, when the shared service settings are read, then the defaults hold', () => {
    const config = readServiceConfig({});
    assert.equal(config.logLevel, 'info');
    assert.equal(config.postgresSchema, 'ledger');
    assert.equal(config.stack.topicPrefix, 'ledger');
    assert.equal(readServiceConfig({ LEDGER_PG_SCHEMA: 'run_1' }).postgresSchema, 'run_1');
  });
});
