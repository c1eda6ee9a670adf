import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readStackConfig } from '@ledger/runtime';
import { parse } from 'yaml';

// There is no Docker engine on the machines this is built on, so docker-compose.yml is kept in
// step with the local starter by this test instead of by running it.
const repoRoot = new URL('../../', import.meta.url).pathname;

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = parse(readFileSync(`${repoRoot}docker-compose.yml`, 'utf8'), {
  merge: true,
}) as ComposeFile;
const defaults = readStackConfig({});
const hostPort = (service: ComposeService, containerPort: number): number | undefined => {
  const mapping = service.ports?.find((port) => port.endsWith(`:${containerPort}`));
  return mapping === undefined ? undefined : Number(mapping.split(':')[0]);
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
};

void describe('docker-compose.yml', () => {
  void it('given the compose file, then it names every part of the local stack', () => {
    for (const name of [
      'kafka',
      'schema-registry',
      'postgres',
      'redis',
      'setup',
      'command-api',
      'ledger-processor',
      'projector',
      'query-api',
    ]) {
      service(name);
    }
  });

  void it('given the four services, then each runs an entry point that exists in the repo', () => {
    for (const name of ['command-api', 'ledger-processor', 'projector', 'query-api', 'setup']) {
      const entry = service(name).command?.[0];
      assert.ok(
        entry && existsSync(`${repoRoot}${entry}`),
        `${name} runs ${entry}, which is missing`,
      );
    }
  });

  void it('given the setup job, then the stack CLI has the command it runs (its usage lists it)', () => {
    const [entry, subcommand] = service('setup').command ?? [];
    const usage = spawnSync(process.execPath, ['--import', 'tsx', `${repoRoot}${entry ?? ''}`], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).stderr;

    assert.ok(subcommand !== undefined, 'setup runs a stackCli command');
    assert.match(usage, new RegExp(`^  ${subcommand} `, 'm'), `stackCli has no ${subcommand}`);
  });

  void it('given the services environment, then it configures the same ports as the local defaults', () => {
    const env = service('command-api').environment ?? {};
    const composeConfig = readStackConfig(
      Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])),
    );
    assert.deepEqual(composeConfig.ports, defaults.ports);
    assert.equal(composeConfig.topicPrefix, defaults.topicPrefix);
    assert.equal(composeConfig.topicPartitions, defaults.topicPartitions);
    assert.equal(
      hostPort(service('command-api'), composeConfig.ports.commandApi),
      defaults.ports.commandApi,
    );
    assert.equal(
      hostPort(service('query-api'), composeConfig.ports.queryApi),
      defaults.ports.queryApi,
    );
    assert.equal(
      hostPort(service('ledger-processor'), composeConfig.ports.ledgerProcessor),
      defaults.ports.ledgerProcessor,
    );
    assert.equal(
      hostPort(service('projector'), composeConfig.ports.projector),
      defaults.ports.projector,
    );
  });

  void it('given the dependencies, then they listen on the host ports the local stack uses', () => {
    assert.equal(hostPort(service('kafka'), defaults.kafkaPort), defaults.kafkaPort);
    assert.equal(hostPort(service('schema-registry'), 8080), defaults.registryPort);
    assert.equal(hostPort(service('postgres'), 5432), 5432);
    assert.equal(hostPort(service('redis'), 6379), 6379);
  });

  void it('given every LEDGER_ variable in the file, then the stack config reads it', () => {
    const known = new Set(
      readFileSync(`${repoRoot}runtime/src/stackConfig.ts`, 'utf8').match(/LEDGER_[A-Z_]+/g),
    );
    for (const name of Object.keys(service('command-api').environment ?? {})) {
      assert.ok(known.has(name), `${name} is set in docker-compose.yml but never read`);
    }
  });
});
