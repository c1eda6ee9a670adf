// `npm run -w @ledger/infra k8s:schemas -- <source>=<CRD file> …`: vendors the parts of the
// operators' CRD schemas that infra/k8s uses into infra/test/crd-schemas (see crdSchemas.ts).
// E.g. `strimzi-kafka-operator 1.2.0=packaging/install/cluster-operator/040-Crd-kafka.yaml`.
import { mkdirSync } from 'node:fs';
import { crdSchemaDir, vendorCrdSchemas, writeVendoredSchema } from './crdSchemas.ts';
import { kustomizations, renderKustomization } from './manifests.ts';

const crdFiles = process.argv.slice(2).map((argument) => {
  const at = argument.lastIndexOf('=');
  if (at <= 0) throw new Error(`expected <source>=<CRD file>, got ${argument}`);
  return { source: argument.slice(0, at), path: argument.slice(at + 1) };
});
const objects = kustomizations.flatMap((kustomization) => renderKustomization(kustomization));
mkdirSync(crdSchemaDir, { recursive: true });
for (const schema of vendorCrdSchemas(crdFiles, objects)) {
  process.stdout.write(`${schema.type} (${schema.source}): ${await writeVendoredSchema(schema)}\n`);
}
