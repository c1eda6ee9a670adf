import assert from 'node:assert/strict';
import { prometheusRulesFile } from '../src/observe/prometheusFiles.ts';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { readStackConfig, shutdownTimeoutMs, topicNames, type StackConfig } from '@ledger/runtime';
import { parse } from 'yaml';
import { clusterReplication } from '../src/kafka/serverProperties.ts';
import { ledgerTopicConfigs } from '../src/kafka/topics.ts';
import { repoRoot } from '../src/paths.ts';
import {
  expectedPrometheusRule,
  parseRuleGroups,
  prometheusRuleFile,
} from '../src/k8s/prometheusRule.ts';
import {
  k8sDir,
  kubectlAvailable,
  kustomizations,
  parseManifests,
  renderKustomization,
  typeKey,
  type K8sObject,
} from '../src/k8s/manifests.ts';
import { validatorFor } from './k8sSchemaValidation.ts';

// infra/k8s rendered with `kubectl kustomize` (offline: no cluster needed), every object checked
// against its schema, and the manifests held to the code: the variables the services read, their
// ports and drain budget, the topics and partitions KEDA scales on.

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
}
type Workload = K8sObject & { spec: { template: PodTemplate; replicas?: number } };

const services = ['command-api', 'query-api', 'ledger-processor', 'projector'] as const;
type ServiceName = (typeof services)[number];
const apis: readonly ServiceName[] = ['command-api', 'query-api'];
const consumers = { 'ledger-processor': 'commands', projector: 'events' } as const;
const groupIdVariables = {
  'ledger-processor': 'LEDGER_PROCESSOR_GROUP_ID',
  projector: 'LEDGER_PROJECTOR_GROUP_ID',
} as const;
const portOf = (config: StackConfig, service: ServiceName): number =>
  ({
    'command-api': config.ports.commandApi,
    'query-api': config.ports.queryApi,
    'ledger-processor': config.ports.ledgerProcessor,
    projector: config.ports.projector,
  })[service];

// ---- what the code reads -------------------------------------------------------------------

const workspaceDirs: Map<string, string> = (() => {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return new Map(
    root.workspaces.map((dir) => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as {
        name: string;
      };
      return [manifest.name, dir];
    }),
  );
})();

/** The TypeScript files a module imports, relative or through an @ledger/* workspace. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
  return specifiers.flatMap((specifier) => {
    if (specifier.startsWith('.')) {
      const path = join(dirname(file), specifier);
      return [path.endsWith('.ts') ? path : `${path}.ts`];
    }
    const workspace = /^(@ledger\/[a-z-]+)(?:\/(.+))?$/.exec(specifier);
    const dir = workspace ? workspaceDirs.get(workspace[1]!) : undefined;
    if (dir === undefined) return [];
    return [join(repoRoot, dir, 'src', `${workspace![2] ?? 'index'}.ts`)];
  });
}

/**
 * Every LEDGER_* name in the modules a process loads: the import closure of its entry point
 * (the Deployment's or Job's first argument), so a variable read anywhere on its path counts.
 */
function variablesReadFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [join(repoRoot, entry)];
  const names = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/\bLEDGER_[A-Z0-9_]+\b/g)) {
      names.add(match[0]);
    }
    pending.push(...importsOf(file));
  }
  return names;
}

// ---- rendered objects ----------------------------------------------------------------------

const canRender = kubectlAvailable();
const skipRender = canRender ? false : 'kubectl is not installed: cannot render kustomize';
const rendered = new Map<string, K8sObject[]>(
  canRender ? kustomizations.map((name) => [name, renderKustomization(name)]) : [],
);
const overlays = kustomizations.filter((name) => name.startsWith('overlays/'));

function objectsOf(kustomization: string): K8sObject[] {
  const objects = rendered.get(kustomization);
  assert.ok(objects, `${kustomization} was not rendered`);
  return objects;
}
function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  assert.ok(found, `no ${kind} ${name}`);
  return found as T;
}
/** ConfigMaps and Secrets keep their base names plus kustomize's hash suffix. */
function findGenerated(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find(
    (object) =>
      object.kind === kind &&
      (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)),
  );
  assert.ok(found, `no ${kind} ${name}`);
  return found;
}
function dataOf(object: K8sObject): Record<string, string> {
  const data = (object.data ?? {}) as Record<string, string>;
  if (object.kind !== 'Secret') return data;
  const decoded = Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
  );
  return { ...decoded, ...((object.stringData ?? {}) as Record<string, string>) };
}
function ledgerConfig(objects: K8sObject[]): Record<string, string> {
  return dataOf(findGenerated(objects, 'ConfigMap', 'ledger-config'));
}
function stackConfigOf(objects: K8sObject[]): StackConfig {
  return readStackConfig(ledgerConfig(objects));
}
function container(workload: Workload): Container {
  const [first] = workload.spec.template.spec.containers;
  assert.ok(first, `${workload.metadata.name} has no container`);
  return first;
}
/** Every variable a container gets, resolved through the objects it names. */
function environmentOf(objects: K8sObject[], workload: Workload): Map<string, string> {
  const env = new Map<string, string>();
  const c = container(workload);
  for (const source of c.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    assert.ok(ref, `${workload.metadata.name}: envFrom without a ConfigMap or Secret`);
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    for (const [key, value] of Object.entries(dataOf(find(objects, kind, ref.name)))) {
      env.set(key, value);
    }
  }
  for (const variable of c.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const map = variable.valueFrom?.configMapKeyRef;
    if (secret || map) {
      const ref = (secret ?? map)!;
      const data = dataOf(find(objects, secret ? 'Secret' : 'ConfigMap', ref.name));
      assert.ok(ref.key in data, `${workload.metadata.name}: ${ref.name} has no key ${ref.key}`);
      env.set(variable.name, data[ref.key]!);
    } else {
      env.set(variable.name, variable.value ?? '');
    }
  }
  return env;
}
/** The workspace a container runs: its first argument is `<workspace>/src/….ts`. */
function workspaceOf(workload: Workload): string {
  const entry = container(workload).args?.[0];
  assert.ok(entry, `${workload.metadata.name} names no entry point`);
  assert.ok(existsSync(join(repoRoot, entry)), `${workload.metadata.name}: no file ${entry}`);
  return entry.split('/')[0]!;
}
function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
function preStopSleepSeconds(c: Container): number {
  const command = c.lifecycle?.preStop?.exec?.command;
  if (command === undefined) return 0;
  assert.equal(command[0], 'sleep', `${c.name}: preStop is not a sleep`);
  return Number(command[1]);
}
function probePort(c: Container, probe: Probe | undefined, what: string): number {
  assert.ok(probe?.httpGet, `${c.name} has no HTTP ${what} probe`);
  const { port } = probe.httpGet;
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  assert.ok(named, `${c.name}: ${what} probe names unknown port ${port}`);
  return named.containerPort;
}

// ---- the tests -----------------------------------------------------------------------------

void describe('infra/k8s manifests', () => {
  void it('given every YAML file under infra/k8s, then each parses', () => {
    const files = sourceFilesOfK8s(k8sDir);
    assert.ok(files.length > 10, 'infra/k8s holds the manifests');
    for (const file of files) {
      assert.doesNotThrow(
        () => parseManifests(readFileSync(file, 'utf8'), file),
        relative(repoRoot, file),
      );
    }
  });

  void it(
    'given the base and each overlay rendered, then every object validates against its schema',
    { skip: skipRender },
    () => {
      for (const [kustomization, objects] of rendered) {
        assert.ok(objects.length > 0, `${kustomization} renders nothing`);
        for (const object of objects) {
          const where = `${kustomization}: ${typeKey(object)} ${object.metadata.name}`;
          const validate = validatorFor(object);
          assert.ok(validate, `${where}: no schema to validate it against`);
          assert.deepEqual(validate(object), [], where);
        }
      }
    },
  );

  void it('given a misspelt or misplaced field, then schema validation refuses it', () => {
    const topic: K8sObject = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 't' },
      spec: { partitions: 'twelve', replica: 3 },
    };
    const problems = validatorFor(topic)!(topic).join('\n');
    assert.match(problems, /partitions must be integer/);
    assert.match(problems, /must NOT have additional properties \(replica\)/);
    const deployment: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: 7 }] } } },
    };
    assert.match(validatorFor(deployment)!(deployment).join('\n'), /image must be string/);
  });

  void it(
    'given each overlay, then every variable a service or the provisioning Job reads is set',
    { skip: skipRender },
    () => {
      for (const overlay of overlays) {
        const objects = objectsOf(overlay);
        const workloads = [
          ...services.map((name) => find<Workload>(objects, 'Deployment', name)),
          find<Workload>(objects, 'Job', 'ledger-provision'),
        ];
        const readAnywhere = new Set<string>();
        for (const workload of workloads) {
          workspaceOf(workload);
          const read = variablesReadFrom(container(workload).args![0]!);
          assert.ok(
            read.size > 20,
            `${workload.metadata.name}: found the variables its code reads`,
          );
          const env = environmentOf(objects, workload);
          const missing = [...read].filter((name) => !env.has(name)).sort();
          assert.deepEqual(missing, [], `${overlay}: ${workload.metadata.name} does not set these`);
          for (const name of read) readAnywhere.add(name);
        }
        // And no variable is set that nothing reads (a typo would silently keep a default).
        const configured = [
          ...Object.keys(ledgerConfig(objects)),
          ...Object.keys(dataOf(findGenerated(objects, 'Secret', 'ledger-secrets'))),
        ];
        const unread = configured.filter((name) => !readAnywhere.has(name));
        assert.deepEqual(unread, [], `${overlay}: set but read by no service`);
      }
    },
  );

  void it(
    'given the four services, then each runs the image with probes on its ops port and a service name for traces',
    { skip: skipRender },
    () => {
      for (const [kustomization, objects] of rendered) {
        const config = stackConfigOf(objects);
        for (const name of services) {
          const workload = find<Workload>(objects, 'Deployment', name);
          const c = container(workload);
          assert.match(c.image, /^kafka-ledger(:[\w.-]+)?$/, `${name} runs the repository's image`);
          assert.equal(workspaceOf(workload), name);
          const port = portOf(config, name);
          assert.equal(c.startupProbe?.httpGet?.path, '/healthz', `${name} startup probe`);
          assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${name} liveness probe`);
          assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${name} readiness probe`);
          for (const [what, probe] of Object.entries({
            startup: c.startupProbe,
            liveness: c.livenessProbe,
            readiness: c.readinessProbe,
          })) {
            assert.equal(probePort(c, probe, what), port, `${kustomization}: ${name} ${what} port`);
          }
          const otel = c.env?.find((variable) => variable.name === 'OTEL_SERVICE_NAME');
          assert.equal(otel?.value, name, `${name} OTEL_SERVICE_NAME`);
          const { requests, limits } = c.resources ?? {};
          assert.ok(requests?.cpu && requests.memory && limits?.memory, `${name} resources`);
          assert.equal(workload.spec.replicas, undefined, `${name}: the autoscaler owns replicas`);
        }
      }
    },
  );

  void it(
    'given the graceful drain of shutdownTimeoutMs, then each grace period covers preStop and the drain',
    { skip: skipRender },
    () => {
      const marginSeconds = 5;
      for (const [kustomization, objects] of rendered) {
        for (const name of services) {
          const workload = find<Workload>(objects, 'Deployment', name);
          const c = container(workload);
          const grace = workload.spec.template.spec.terminationGracePeriodSeconds ?? 30;
          const preStop = preStopSleepSeconds(c);
          if (apis.includes(name))
            assert.ok(preStop > 0, `${name}: preStop waits out endpoint removal`);
          assert.ok(
            grace >= preStop + shutdownTimeoutMs / 1000 + marginSeconds,
            `${kustomization}: ${name} grace ${grace}s < preStop ${preStop}s + drain ${shutdownTimeoutMs / 1000}s + ${marginSeconds}s`,
          );
        }
      }
    },
  );

  void it(
    'given the services, then each has a PodDisruptionBudget and is scraped through a Service',
    { skip: skipRender },
    () => {
      for (const [kustomization, objects] of rendered) {
        const monitor = find<
          K8sObject & {
            spec: {
              selector: { matchLabels: Record<string, string> };
              endpoints: { port: string; path: string }[];
            };
          }
        >(objects, 'ServiceMonitor', 'kafka-ledger');
        const serviceObjects = objects.filter(
          (object) => object.kind === 'Service',
        ) as (K8sObject & {
          metadata: { labels?: Record<string, string> };
          spec: {
            selector: Record<string, string>;
            ports: { name: string; targetPort: string | number }[];
          };
        })[];
        for (const name of services) {
          const workload = find<Workload>(objects, 'Deployment', name);
          const labels = workload.spec.template.metadata.labels;
          const budgets = objects.filter(
            (object) =>
              object.kind === 'PodDisruptionBudget' &&
              matches(
                (object.spec as { selector: { matchLabels: Record<string, string> } }).selector
                  .matchLabels,
                labels,
              ),
          );
          assert.equal(budgets.length, 1, `${kustomization}: ${name} has one PodDisruptionBudget`);
          const scraped = serviceObjects.filter(
            (service) =>
              matches(service.spec.selector, labels) &&
              matches(monitor.spec.selector.matchLabels, service.metadata.labels ?? {}) &&
              monitor.spec.endpoints.some(
                (endpoint) =>
                  endpoint.path === '/metrics' &&
                  service.spec.ports.some((port) => port.name === endpoint.port),
              ),
          );
          assert.equal(
            scraped.length,
            1,
            `${kustomization}: ${name} is scraped through one Service`,
          );
          // The operator's target label service=<Service name> is what the rules group by.
          assert.equal(
            scraped[0]!.metadata.name,
            name,
            `${kustomization}: a Service named ${name}`,
          );
        }
        for (const name of apis) {
          const service = find<(typeof serviceObjects)[number]>(objects, 'Service', name);
          const port = service.spec.ports[0];
          assert.equal(
            port && (port as { port?: number }).port,
            portOf(stackConfigOf(objects), name),
          );
        }
      }
    },
  );

  void it(
    "given the two APIs, then an autoscaling/v2 HPA scales each on CPU and on the adapter's request rate",
    { skip: skipRender },
    () => {
      const adapter = parse(
        readFileSync(join(k8sDir, 'prometheus-adapter/values.yaml'), 'utf8'),
      ) as {
        rules: { custom: { name: { as: string } }[] };
      };
      const served = new Set(adapter.rules.custom.map((rule) => rule.name.as));
      for (const [kustomization, objects] of rendered) {
        for (const name of apis) {
          const hpa = find<
            K8sObject & {
              spec: {
                scaleTargetRef: { kind: string; name: string };
                minReplicas: number;
                maxReplicas: number;
                metrics: {
                  type: string;
                  resource?: { name: string };
                  pods?: { metric: { name: string } };
                }[];
              };
            }
          >(objects, 'HorizontalPodAutoscaler', name);
          assert.equal(hpa.apiVersion, 'autoscaling/v2');
          assert.deepEqual(
            [hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name],
            ['Deployment', name],
          );
          assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
          assert.ok(
            hpa.spec.metrics.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu'),
            `${kustomization}: ${name} on CPU`,
          );
          const pods = hpa.spec.metrics
            .filter((m) => m.type === 'Pods')
            .map((m) => m.pods!.metric.name);
          assert.ok(pods.length > 0, `${kustomization}: ${name} on request rate`);
          for (const metric of pods)
            assert.ok(served.has(metric), `prometheus-adapter serves ${metric}`);
        }
      }
    },
  );

  void it(
    'given the KafkaTopics, then they are the topics, partitions and configs the local stack creates',
    { skip: skipRender },
    () => {
      for (const [kustomization, objects] of rendered) {
        const config = stackConfigOf(objects);
        const pools = objects.filter((o) => o.kind === 'KafkaNodePool') as (K8sObject & {
          spec: { replicas: number; roles: string[] };
        })[];
        const brokers = pools
          .filter((p) => p.spec.roles.includes('broker'))
          .reduce((n, p) => n + p.spec.replicas, 0);
        const replication = clusterReplication(brokers);
        assert.equal(
          config.kafkaNodes,
          brokers,
          `${kustomization}: LEDGER_KAFKA_NODES is the broker count`,
        );
        const kafka = find<K8sObject & { spec: { kafka: { config: Record<string, unknown> } } }>(
          objects,
          'Kafka',
          'ledger-kafka',
        );
        assert.equal(
          Number(kafka.spec.kafka.config['default.replication.factor']),
          replication.replicationFactor,
        );
        assert.equal(
          Number(kafka.spec.kafka.config['min.insync.replicas']),
          replication.minInsyncReplicas,
        );
        const topics = objects.filter((o) => o.kind === 'KafkaTopic') as (K8sObject & {
          metadata: { labels: Record<string, string> };
          spec: {
            topicName: string;
            partitions: number;
            replicas: number;
            config: Record<string, unknown>;
          };
        })[];
        const expected = ledgerTopicConfigs({
          prefix: config.topicPrefix,
          partitions: config.topicPartitions,
          replicationFactor: replication.replicationFactor,
        });
        assert.deepEqual(
          topics.map((t) => t.spec.topicName).sort(),
          expected.map((t) => t.topic).sort(),
          `${kustomization}: the topics of API.md`,
        );
        for (const want of expected) {
          const topic = topics.find((t) => t.spec.topicName === want.topic)!;
          assert.equal(topic.metadata.labels['strimzi.io/cluster'], kafka.metadata.name);
          assert.equal(topic.spec.partitions, want.numPartitions, `${want.topic} partitions`);
          assert.equal(topic.spec.replicas, want.replicationFactor, `${want.topic} replicas`);
          assert.deepEqual(
            Object.fromEntries(Object.entries(topic.spec.config).map(([k, v]) => [k, String(v)])),
            Object.fromEntries((want.configEntries ?? []).map((e) => [e.name, e.value])),
            `${kustomization}: ${want.topic} configs`,
          );
        }
      }
    },
  );

  void it(
    "given the KEDA ScaledObjects, then each scales its consumer on its group's lag and never past the partitions",
    { skip: skipRender },
    () => {
      for (const [kustomization, objects] of rendered) {
        const config = stackConfigOf(objects);
        const env = ledgerConfig(objects);
        const names = topicNames(config.topicPrefix);
        for (const [name, topicKey] of Object.entries(consumers) as [
          keyof typeof consumers,
          'commands' | 'events',
        ][]) {
          const scaled = find<
            K8sObject & {
              metadata: { namespace?: string };
              spec: {
                scaleTargetRef: { name: string; kind?: string };
                minReplicaCount: number;
                maxReplicaCount: number;
                triggers: { type: string; metadata: Record<string, string> }[];
              };
            }
          >(objects, 'ScaledObject', name);
          assert.equal(scaled.spec.scaleTargetRef.name, name);
          assert.ok(scaled.spec.minReplicaCount >= 1, `${name} always runs (relay, pruning)`);
          const [trigger, ...others] = scaled.spec.triggers;
          assert.ok(
            trigger && others.length === 0 && trigger.type === 'kafka',
            `${name}: one Kafka trigger`,
          );
          assert.equal(
            trigger.metadata.topic,
            names[topicKey],
            `${name} watches ${names[topicKey]}`,
          );
          assert.equal(
            trigger.metadata.consumerGroup,
            env[groupIdVariables[name]],
            `${name}'s group`,
          );
          const topic = objects.find(
            (o) =>
              o.kind === 'KafkaTopic' &&
              (o.spec as { topicName: string }).topicName === trigger.metadata.topic,
          ) as (K8sObject & { spec: { partitions: number } }) | undefined;
          assert.ok(topic, `${kustomization}: a KafkaTopic for ${trigger.metadata.topic}`);
          assert.ok(
            scaled.spec.maxReplicaCount <= topic.spec.partitions &&
              scaled.spec.maxReplicaCount <= config.topicPartitions,
            `${kustomization}: ${name} maxReplicaCount ${scaled.spec.maxReplicaCount} > partitions`,
          );
          // KEDA's operator resolves the address from its own namespace: it must name ours.
          const [host] = trigger.metadata.bootstrapServers!.split(':');
          const [serviceName, namespace] = host!.split('.');
          assert.equal(serviceName, 'ledger-kafka-kafka-bootstrap');
          if (scaled.metadata.namespace !== undefined) {
            assert.equal(
              namespace,
              scaled.metadata.namespace,
              `${kustomization}: ${name} bootstrap namespace`,
            );
          }
        }
      }
    },
  );

  void it(
    'given the overlays, then every ConfigMap and Secret a workload names exists',
    { skip: skipRender },
    () => {
      for (const overlay of overlays) {
        const objects = objectsOf(overlay);
        for (const workload of objects.filter(
          (o) => o.kind === 'Deployment' || o.kind === 'Job',
        ) as Workload[]) {
          assert.doesNotThrow(
            () => environmentOf(objects, workload),
            `${overlay}: ${workload.metadata.name}`,
          );
        }
        const cluster = find<
          K8sObject & { spec: { bootstrap: { initdb: { secret: { name: string } } } } }
        >(objects, 'Cluster', 'ledger-postgres');
        const credentials = dataOf(
          find(objects, 'Secret', cluster.spec.bootstrap.initdb.secret.name),
        );
        assert.ok(
          credentials.username && credentials.password,
          'basic-auth credentials for initdb',
        );
        const url = new URL(
          dataOf(findGenerated(objects, 'Secret', 'ledger-secrets')).LEDGER_PG_URL!,
        );
        assert.deepEqual(
          [url.username, url.password],
          [credentials.username, credentials.password],
        );
      }
    },
  );

  void it(
    'given the rule file, then every target is scraped into the job its rules name',
    { skip: skipRender },
    () => {
      const jobs = new Set(
        [...readFileSync(prometheusRulesFile, 'utf8').matchAll(/\bjob="([^"]+)"/g)].map(
          (match) => match[1],
        ),
      );
      for (const [kustomization, objects] of rendered) {
        const monitor = find<
          K8sObject & {
            spec: {
              endpoints: { relabelings?: { targetLabel?: string; replacement?: string }[] }[];
            };
          }
        >(objects, 'ServiceMonitor', 'kafka-ledger');
        for (const endpoint of monitor.spec.endpoints) {
          const job = endpoint.relabelings?.find((r) => r.targetLabel === 'job')?.replacement;
          for (const wanted of jobs) assert.equal(job, wanted, `${kustomization}: job="${wanted}"`);
        }
      }
    },
  );

  void it('given the rule file, then the PrometheusRule is generated from it and up to date', async () => {
    const committed = readFileSync(prometheusRuleFile, 'utf8');
    assert.equal(
      committed,
      await expectedPrometheusRule(),
      'stale: run `npm run -w @ledger/infra k8s:rules` after changing the rule file',
    );
    const [rule] = parseManifests(committed, prometheusRuleFile);
    assert.deepEqual(
      (rule?.spec as { groups: unknown }).groups,
      parseRuleGroups(readFileSync(prometheusRulesFile, 'utf8'), prometheusRulesFile).groups,
    );
  });
});

function sourceFilesOfK8s(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFilesOfK8s(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}
