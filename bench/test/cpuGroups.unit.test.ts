import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyProcesses, ownGroup, type ProcessIdentity } from '../src/metrics/cpuGroups.ts';

// Command lines copied from this machine's /proc while a stack and a bench ran.
const kafkaCmdline =
  'java -Xmx512m -Xms128m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j2.configurationFile=/work/main/.stack/kafka/log4j2.properties ' +
  '-Dledger.stack.part=kafka@/work/main/.stack -cp /work/main/.cache/kafka-4.3.1/libs/* kafka.Kafka /work/main/.stack/kafka/server.properties';
const registryCmdline =
  'java -Xmx384m -Xms64m -Djava.awt.headless=true -Dquarkus.http.port=8085 -Dapicurio.storage.kind=sql ' +
  '-Dapicurio.datasource.url=jdbc:postgresql://127.0.0.1:5432/apicurio -Dledger.stack.part=registry@/work/main/.stack ' +
  '-jar /work/main/.cache/apicurio-3.0.9/app/apicurio-registry-app-3.0.9-runner.jar';

const selfPid = 7154;
const identity = (pid: number, ppid: number, comm: string, cmdline: string): ProcessIdentity => ({
  pid,
  ppid,
  comm,
  cmdline,
});

void describe('which part of the run a process is', () => {
  const cases: [ProcessIdentity, string | undefined][] = [
    [identity(5561, 5291, 'java', kafkaCmdline), 'kafka'],
    [identity(5556, 5291, 'java', registryCmdline), 'registry'],
    [identity(9, 1, 'java', 'java -jar /opt/other/app.jar'), undefined],
    [
      identity(
        5725,
        5291,
        'node',
        '/usr/bin/node --import tsx /work/main/ledger-processor/src/main.ts',
      ),
      'ledger-processor',
    ],
    [
      identity(5726, 5291, 'node', '/usr/bin/node --import tsx /work/main/command-api/src/main.ts'),
      'command-api',
    ],
    [
      identity(5724, 5291, 'node', '/usr/bin/node --import tsx /work/main/projector/src/main.ts'),
      'projector',
    ],
    [
      identity(
        8001,
        selfPid,
        'node',
        '/usr/bin/node --cpu-prof --cpu-prof-dir=/tmp/p/query-api --import tsx query-api/src/main.ts',
      ),
      'query-api',
    ],
    [
      identity(5803, 2225, 'postgres', 'postgres: 15/main: postgres ledger 127.0.0.1(53422) idle'),
      'postgres',
    ],
    [
      identity(
        2225,
        1,
        'postgres',
        '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf',
      ),
      'postgres',
    ],
    [identity(2245, 1, 'redis-server', 'redis-server 127.0.0.1:6379'), 'redis'],
    [
      identity(
        7235,
        selfPid,
        'node',
        '/usr/bin/node --import tsx bench/src/baselines/serveBaseline.ts naive-write 0 bench_naive',
      ),
      'baseline',
    ],
    [
      identity(5291, 5280, 'node', '/usr/bin/node --import tsx infra/src/cli/stackCli.ts up'),
      'stack supervisor',
    ],
    [
      identity(selfPid, 7143, 'node', '/usr/bin/node --import tsx bench/src/cli.ts --quick'),
      'load generator',
    ],
    [identity(31, 2, 'ksoftirqd/1', ''), 'kernel'],
    [
      identity(
        2974,
        1,
        'beam.smp',
        '/usr/lib/erlang/erts-13.1.5/bin/beam.smp -W w -- -home /var/lib/rabbitmq -s rabbit boot',
      ),
      undefined,
    ],
    [identity(3809, 1, 'mariadbd', '/usr/sbin/mariadbd'), undefined],
    [
      identity(
        5303,
        5291,
        'esbuild',
        '/work/main/node_modules/@esbuild/linux-x64/bin/esbuild --service=0.28.2 --ping',
      ),
      undefined,
    ],
  ];
  for (const [entry, expected] of cases) {
    void it(`given \`${entry.cmdline.slice(0, 60) || entry.comm}\`, then ${expected ?? 'its own line says nothing'}`, () => {
      assert.equal(ownGroup(entry, selfPid), expected);
    });
  }

  void it("given helpers without a group of their own, then they take their nearest classified ancestor's, else other", () => {
    const groups = classifyProcesses(
      [
        identity(1, 0, 'process_api', '/process_api --firecracker-init'),
        identity(
          5725,
          5291,
          'node',
          '/usr/bin/node --import tsx /work/main/ledger-processor/src/main.ts',
        ),
        identity(
          5778,
          5725,
          'esbuild',
          '/work/main/node_modules/@esbuild/linux-x64/bin/esbuild --service=0.28.2 --ping',
        ),
        identity(selfPid, 7143, 'node', '/usr/bin/node --import tsx bench/src/cli.ts --quick'),
        identity(7300, selfPid, 'wrk', 'wrk -t1 -c100 -d10s http://127.0.0.1:8081'),
        identity(
          7235,
          selfPid,
          'node',
          '/usr/bin/node --import tsx bench/src/baselines/serveBaseline.ts naive-write 0 bench_naive',
        ),
        identity(
          7247,
          7235,
          'esbuild',
          '/work/main/node_modules/@esbuild/linux-x64/bin/esbuild --service=0.28.2 --ping',
        ),
        identity(7143, 1, 'node', 'node scripts/run.mjs bench/src/cli.ts --quick'),
      ],
      selfPid,
    );
    assert.deepEqual(Object.fromEntries(groups), {
      1: 'other',
      5725: 'ledger-processor',
      5778: 'ledger-processor',
      [selfPid]: 'load generator',
      7300: 'load generator',
      7235: 'baseline',
      7247: 'baseline',
      7143: 'other',
    });
  });
});
