// kubernetes-models has no Knative EventPolicy: this model checks one
// against the upstream CRD's schema (test/fixtures/knative/eventpolicy-crd.yaml).
import { join } from 'node:path';
import { loadYamlFile, ROOT } from './manifests-load.js';
import { schemaProblems } from './manifests-schema.js';

const crd = loadYamlFile(join(ROOT, 'test/fixtures/knative/eventpolicy-crd.yaml'))[0] as any;
const schema = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1').schema.openAPIV3Schema;

export class EventPolicy {
  constructor(private readonly doc: unknown) {}
  validate(): void {
    const problems = schemaProblems(schema, this.doc);
    if (problems.length > 0) throw new Error(`EventPolicy: ${problems.join('; ')}`);
  }
}
