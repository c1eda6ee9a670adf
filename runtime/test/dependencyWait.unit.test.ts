import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asDependencyUnavailable, waitForDependency } from '../src/dependencyWait.ts';
import { isKafkaUnavailable } from '../src/kafkaClient.ts';
import { createLogger } from '../src/logger.ts';
import { isPostgresUnavailable } from '../src/postgresPool.ts';

function collectingLogger() {
  const lines: { msg: string; level: string }[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line) as { msg: string; level: string }),
  });
  return { logger, lines };
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const named = (name: string) => Object.assign(new Error(name), { name });

describe('waiting for a dependency', () => {
  it('given a dependency that is down twice, when awaited, then it resolves once it answers and logs one wait and one return', async () => {
    const { logger, lines } = collectingLogger();
    let calls = 0;

    const value = await waitForDependency(
      'postgres',
      () => {
        calls += 1;
        if (calls < 3) throw withCode('connect ECONNREFUSED', 'ECONNREFUSED');
        return Promise.resolve('up');
      },
      { logger, isUnavailable: isPostgresUnavailable },
    );

    assert.equal(value, 'up');
    assert.equal(calls, 3);
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['postgres is unavailable: waiting for it', 'postgres is available again'],
    );
  });

  it('given a failure that is not the dependency being away, when awaited, then it is thrown at once', async () => {
    const { logger } = collectingLogger();
    let calls = 0;

    await assert.rejects(
      waitForDependency(
        'postgres',
        () => {
          calls += 1;
          throw withCode('syntax error', '42601');
        },
        { logger, isUnavailable: isPostgresUnavailable },
      ),
      /syntax error/,
    );
    assert.equal(calls, 1);
  });

  it('given a dependency that stays down, when the wait is spent, then the last failure is thrown', async () => {
    const { logger } = collectingLogger();

    await assert.rejects(
      waitForDependency('kafka', () => Promise.reject(named('KafkaJSConnectionError')), {
        logger,
        waitMs: 300,
      }),
      /KafkaJSConnectionError/,
    );
  });
});

describe('telling an outage from a failed statement', () => {
  it('given what node-postgres raises while Postgres restarts, when classified, then each is an outage and a statement error is not', () => {
    assert.ok(
      isPostgresUnavailable(
        withCode('terminating connection due to administrator command', '57P01'),
      ),
    );
    assert.ok(isPostgresUnavailable(withCode('the database system is starting up', '57P03')));
    assert.ok(isPostgresUnavailable(withCode('connection failure', '08006')));
    assert.ok(
      isPostgresUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
    );
    assert.ok(isPostgresUnavailable(new Error('Connection terminated unexpectedly')));
    assert.ok(isPostgresUnavailable(new Error('timeout exceeded when trying to connect')));
    assert.ok(isPostgresUnavailable(new Error('wrapped', { cause: withCode('x', '57P01') })));
    assert.ok(!isPostgresUnavailable(withCode('duplicate key value', '23505')));
    assert.ok(!isPostgresUnavailable(withCode('deadlock detected', '40P01')));
    assert.ok(!isPostgresUnavailable('57P01'));
  });

  it('given what kafkajs raises while the broker is away, when classified, then each is an outage and a refused request is not', () => {
    assert.ok(isKafkaUnavailable(named('KafkaJSConnectionError')));
    assert.ok(isKafkaUnavailable(named('KafkaJSNumberOfRetriesExceeded')));
    assert.ok(
      isKafkaUnavailable(new Error('send failed', { cause: named('KafkaJSRequestTimeoutError') })),
    );
    assert.ok(
      isKafkaUnavailable(Object.assign(named('KafkaJSProtocolError'), { retriable: true })),
    );
    assert.ok(
      !isKafkaUnavailable(Object.assign(named('KafkaJSProtocolError'), { retriable: false })),
    );
    assert.ok(!isKafkaUnavailable(new Error('MESSAGE_TOO_LARGE')));
  });

  it('given a request that failed on an absent dependency, when mapped, then it is 503 unavailable with Retry-After, and a bug is not mapped', () => {
    const mapped = asDependencyUnavailable(withCode('terminating connection', '57P01'));

    assert.equal(mapped?.code, 'unavailable');
    assert.equal(mapped?.status, 503);
    assert.ok((mapped?.options.retryAfterSeconds ?? 0) > 0);
    assert.equal(asDependencyUnavailable(new TypeError('x is undefined')), undefined);
  });
});
