import { Ajv, type ValidateFunction } from 'ajv';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { readVendoredSchema, strictSchema, unvendoredKeyword } from '../src/k8s/crdSchemas.ts';
import { typeKey, type K8sObject } from '../src/k8s/manifests.ts';

/**
 * Validates an object against its kind's schema: built-in kinds, KEDA's and the
 * prometheus-operator's with the kubernetes-models packages (Kubernetes' and the projects' own
 * OpenAPI schemas), Strimzi's and CloudNativePG's against their CRDs' openAPIV3Schema (vendored
 * parts, infra/src/k8s/crdSchemas.ts) with unknown fields refused, as the API server does.
 * Returns the problems, empty when valid.
 */
export type Validator = (object: K8sObject) => string[];

const modelKinds: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/**
 * kustomize wraps a Secret's long base64 values over lines, which the API server decodes (Go's
 * base64 skips line breaks) but the models' `byte` format refuses: unwrap them first.
 */
function unwrapSecretData(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) {
    return object;
  }
  const data = Object.fromEntries(
    Object.entries(object.data as Record<string, string>).map(([key, value]) => [
      key,
      value.replace(/[\r\n]/g, ''),
    ]),
  );
  return { ...object, data };
}

function modelValidator(model: new (data: never) => { validate(): void }): Validator {
  return (object) => {
    try {
      new model(structuredClone(unwrapSecretData(object)) as never).validate();
      return [];
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  };
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addKeyword({
  keyword: unvendoredKeyword,
  validate: () => false,
  error: {
    message:
      'this field is not in the vendored CRD schema: re-vendor it (npm run -w @ledger/infra k8s:schemas)',
  },
});
const compiled = new Map<string, ValidateFunction>();

function crdValidator(type: string): Validator | undefined {
  const vendored = readVendoredSchema(type);
  if (vendored === undefined) return undefined;
  return (object) => {
    let validate = compiled.get(type);
    if (validate === undefined) {
      validate = ajv.compile(strictSchema(vendored.schema));
      compiled.set(type, validate);
    }
    if (validate(object)) return [];
    return (validate.errors ?? []).map((error) => {
      const extra =
        error.keyword === 'additionalProperties'
          ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
          : '';
      return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra} [${vendored.source}]`;
    });
  };
}

/** The validator of an object's kind, or undefined when there is no schema for it. */
export function validatorFor(
  object: Pick<K8sObject, 'apiVersion' | 'kind'>,
): Validator | undefined {
  const type = typeKey(object);
  const model = modelKinds[type];
  return model === undefined ? crdValidator(type) : modelValidator(model);
}
