import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';

import { repoRoot } from '../src/paths.ts';

import { k8sDir, parseManifests, typeKey, type K8sObject } from '../src/k8s/manifests.ts';
import { validatorFor } from './k8sSchemaValidation.ts';
import { skipRender, rendered, sourceFilesOfK8s } from './k8sSupport.ts';

// infra/k8s rendered with `kubectl kustomize` (offline: no cluster needed) and every object
// checked against its schema.
void describe('infra/k8s manifests: schemas', () => {
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
});
