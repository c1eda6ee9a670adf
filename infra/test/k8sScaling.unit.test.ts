import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { topicNames } from '@ledger/runtime';
import { parse } from 'yaml';
import { clusterReplication } from '../src/kafka/serverProperties.ts';
import { ledgerTopicConfigs } from '../src/kafka/topics.ts';

import { k8sDir, type K8sObject } from '../src/k8s/manifests.ts';

import {
  apis,
  consumers,
  groupIdVariables,
  skipRender,
  rendered,
  find,
  ledgerConfig,
  stackConfigOf,
} from './k8sSupport.ts';

// infra/k8s's scaling held to the code: the HPAs on the adapter's request rate, the topics the
// local stack creates, and KEDA never past the partitions.
void describe('infra/k8s manifests: scaling and topics', () => {
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
          `${kustomization}: the topics of docs/contract.md`,
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
});
