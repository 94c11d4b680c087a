// validate.mjs checks Backstage entities with @backstage/catalog-model's
// own validators, the ones the catalog runs on every entity it reads. It
// reads a JSON array of entities on standard input and writes one line per
// entity: "ok KIND:NAMESPACE/NAME" or "invalid INDEX: MESSAGE". It exits 1
// when any entity is invalid.
//
// Placeholders ($text, $url, $json, $yaml) are what the catalog resolves
// before it validates: as its placeholder processor does, a placeholder is
// an object with one key, starting with "$", and a non-empty string value;
// it is checked, then replaced by that string.
import {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  FieldFormatEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

const placeholders = new Set(['$text', '$url', '$json', '$yaml']);

function resolvePlaceholders(value, path) {
  if (Array.isArray(value)) {
    return value.map((v, i) => resolvePlaceholders(v, `${path}[${i}]`));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    const [key] = keys;
    if (!placeholders.has(key)) {
      throw new Error(`${path}: unknown placeholder ${key}`);
    }
    if (typeof value[key] !== 'string' || value[key].trim() === '') {
      throw new Error(`${path}: placeholder ${key} wants a non-empty string`);
    }
    return `resolved ${key} ${value[key]}`;
  }
  const out = {};
  for (const k of keys) {
    out[k] = resolvePlaceholders(value[k], `${path}.${k}`);
  }
  return out;
}

const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const kindValidators = [apiEntityV1alpha1Validator, componentEntityV1alpha1Validator];
const names = makeValidator();

// The relation fields of the kinds this checker knows, with the kind a
// reference without one defaults to, as the catalog's builtin kinds
// processor reads them.
const relationFields = {
  owner: 'Group',
  system: 'System',
  providesApis: 'API',
  consumesApis: 'API',
  dependsOn: 'Component',
};

function checkReferences(entity) {
  for (const [field, defaultKind] of Object.entries(relationFields)) {
    const value = entity.spec?.[field];
    if (value === undefined) continue;
    for (const ref of Array.isArray(value) ? value : [value]) {
      const parsed = parseEntityRef(ref, { defaultKind, defaultNamespace: entity.metadata.namespace });
      if (!names.isValidKind(parsed.kind) || !names.isValidNamespace(parsed.namespace) || !names.isValidEntityName(parsed.name)) {
        throw new Error(`spec.${field}: reference "${ref}" is not a valid entity reference`);
      }
    }
  }
}

async function validate(raw) {
  const entity = await policies.enforce(resolvePlaceholders(raw, 'entity'));
  let known = false;
  for (const v of kindValidators) {
    if (await v.check(entity)) known = true;
  }
  if (!known) {
    throw new Error(`kind ${entity.kind} of ${entity.apiVersion} is not API or Component`);
  }
  checkReferences(entity);
  return entity;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const entities = JSON.parse(input);
let failed = false;
for (let i = 0; i < entities.length; i++) {
  try {
    const e = await validate(entities[i]);
    console.log(`ok ${stringifyEntityRef(e)}`);
  } catch (err) {
    failed = true;
    console.log(`invalid ${i}: ${String(err.message ?? err).split('\n')[0]}`);
  }
}
process.exit(failed ? 1 : 0);
