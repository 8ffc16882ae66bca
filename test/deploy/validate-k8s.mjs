// Validates Kubernetes objects (a JSON array on stdin) against the schemas that kubernetes-models
// generates with ajv from the Kubernetes OpenAPI document, plus the KEDA and Prometheus Operator CRD
// schemas. Prints a JSON array of "Kind/name: error" lines; an object whose apiVersion/kind has no
// schema is an error too. ESM because those packages are ESM-only; chart.int-spec.ts runs it with node.
const SCHEMA_PACKAGES = ['kubernetes-models', '@kubernetes-models/keda', '@kubernetes-models/prometheus-operator'];

async function modelClass(apiVersion, kind) {
  for (const pkg of SCHEMA_PACKAGES) {
    try {
      const module = await import(`${pkg}/${apiVersion}`);
      if (typeof module[kind] === 'function') return module[kind];
    } catch (error) {
      if (error?.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  return undefined;
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const violations = [];
for (const object of objects) {
  const ref = `${object?.kind}/${object?.metadata?.name}`;
  const Model = await modelClass(object?.apiVersion, object?.kind);
  if (!Model) {
    violations.push(`${ref}: no schema for apiVersion ${object?.apiVersion} kind ${object?.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    violations.push(`${ref}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(violations));
