import assert from 'node:assert/strict';
import { prometheusRulesFile } from '../src/observe/prometheusFiles.ts';
import { readFileSync } from 'node:fs';

import { describe, it } from 'node:test';
import { shutdownTimeoutMs } from '@ledger/runtime';

import {
  expectedPrometheusRule,
  parseRuleGroups,
  prometheusRuleFile,
} from '../src/k8s/prometheusRule.ts';
import { parseManifests, type K8sObject } from '../src/k8s/manifests.ts';

import {
  type Workload,
  services,
  apis,
  portOf,
  variablesReadFrom,
  skipRender,
  rendered,
  overlays,
  objectsOf,
  find,
  findGenerated,
  dataOf,
  ledgerConfig,
  stackConfigOf,
  container,
  environmentOf,
  workspaceOf,
  matches,
  preStopSleepSeconds,
  probePort,
} from './k8sSupport.ts';

// infra/k8s's workloads held to the code: the variables the services read, their ports and
// drain budget, disruption budgets and scraping, the rules Prometheus loads.
void describe('infra/k8s manifests: held to the code', () => {
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
