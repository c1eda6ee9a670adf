import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeFailure,
  failureLine,
  failures,
  oneLine,
  type StackFailure,
} from '../src/failures.ts';

void describe('failure lines', () => {
  void it('given a port held by a known process, then the line names the part, the holder and the variable', () => {
    const line = failureLine(
      failures.portInUse('kafka', 9092, { pid: 123, command: 'java' }, 'LEDGER_KAFKA_PORT'),
    );

    assert.equal(
      line,
      'kafka: port 9092 is in use by another process (pid 123 java): stop it or set LEDGER_KAFKA_PORT',
    );
  });

  void it('given no java, then the line says which JDK to install and how', () => {
    assert.equal(
      failureLine(failures.javaMissing()),
      'java: not found on PATH: install a JDK 17 (apt-get install openjdk-17-jre-headless)',
    );
  });

  void it('given Postgres down and not startable, then the line gives the cause and the command that starts it', () => {
    const line = failureLine(
      failures.postgresUnreachable('127.0.0.1:5432/postgres', 'ECONNREFUSED', 'no cluster'),
    );

    assert.match(
      line,
      /^postgres: cannot connect to 127\.0\.0\.1:5432\/postgres \(ECONNREFUSED\) and could not start it \(no cluster\): start it with pg_ctlcluster /,
    );
  });

  void it('given every failure in the catalogue, then each renders as exactly one line of part: cause: fix', () => {
    const samples: StackFailure[] = [
      failures.portInUse('registry', 8085, undefined, 'LEDGER_REGISTRY_PORT'),
      failures.commandNotFound('tar', 'tar', 'apt-get install tar'),
      failures.javaMissing(),
      failures.javaTooOld('11.0.2'),
      failures.mavenMissing(),
      failures.fetchFailed('kafka', 'Kafka 4.3.1', 'Could not transfer\nartifact', '/x/mvn.log'),
      failures.fetchUnverifiable('registry', 'Apicurio', 'runner jar missing', '/x'),
      failures.kafkaFormatFailed('bad config', '/data'),
      failures.postgresUnreachable('h:1/db', 'refused', 'nothing'),
      failures.postgresSetupFailed('creating database ledger', 'permission denied'),
      failures.redisUnreachable('h:6379', 'refused', 'nothing'),
      failures.migrationsFailed('ledger', 'syntax error'),
      failures.offsetsBeyondLog(
        'ledger',
        'consumer_offsets: ledger.commands[11] at 9223372036854775807, its end is 0',
      ),
      failures.topicsFailed('timeout'),
      failures.schemasFailed('incompatible', 'http://r'),
      failures.exitedBeforeHealthy('kafka', 'exit code 1', '/x/kafka.log', 'ERROR boom'),
      failures.healthTimeout('registry', 120_000, 'GET / 200', '/x/registry.log'),
      failures.restartLimit('projector', 6, 300_000, '/x/projector.log'),
      failures.foreignPortsOwner('kafka', 9092, { pid: 1, command: 'java' }),
      failures.downTimedOut(42, 120_000),
    ];
    for (const failure of samples) {
      const line = failureLine(failure);
      assert.ok(!line.includes('\n'), line);
      assert.ok(line.startsWith(`${failure.part}: `), line);
      assert.ok(line.endsWith(failure.fix), line);
      assert.ok(failure.fix.length > 0 && failure.reason.length > 0, line);
    }
  });

  void it('given an unexpected error, then it is one line that says where to look', () => {
    assert.equal(
      describeFailure(new Error('boom\nat x')),
      'stack: unexpected error (boom at x): see .stack/logs/stack.log and report it if it persists',
    );
  });

  void it('given long multi-line text, then oneLine flattens and bounds it', () => {
    const line = oneLine('a\n  b\tc ' + 'x'.repeat(500), 20);

    assert.equal(line.length, 20);
    assert.ok(line.startsWith('a b c x'));
    assert.ok(line.endsWith('…'));
  });
});
