/**
 * Validates simulator responses against Okta's management OpenAPI spec (`../shared/okta/openapi/
 * management.yaml` beside the repo). OpenAPI 3.0 → JSON Schema for ajv: `nullable` becomes a
 * null-able type, `discriminator`/`example`/`x-*` are dropped, `$ref`s point into one document.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SPEC_PATH = resolve(REPO, '../shared/okta/openapi/management.yaml');
export const specAvailable = existsSync(SPEC_PATH);

type Json = Record<string, unknown>;

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  const hasDiscriminator = 'discriminator' in (node as Json);
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'discriminator' || k === 'example' || k === 'examples' || k === 'xml' || k === 'externalDocs' || k.startsWith('x-')) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(/^#\/components\/schemas\//, 'okta#/components/schemas/');
    // Without the discriminator several branches of a oneOf can match: any one is enough.
    else if (k === 'oneOf' && hasDiscriminator) out.anyOf = convert(v);
    else out[k] = convert(v);
  }
  const nullable = out.nullable === true;
  delete out.nullable;
  if (nullable) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}

export interface SpecValidator {
  /** Problems of `body` against the spec's response schema for the operation, or [] when valid. */
  check(template: string, method: string, status: number, body: unknown): string[];
}

/**
 * Mistakes in the spec's schemas that its own examples and the recordings contradict, fixed before
 * validating. TimeDuration's pattern `^P(?:$)…(T(?:\d)…` has non-capturing groups where lookaheads
 * (`(?!$)`, `(?=\d)`) are meant: as written it matches nothing but "P", not the spec's own
 * `tokenWindow: P30D` example nor the recorded API tokens' `P30D`.
 */
function fixSpecErrata(schemas: Json): void {
  const duration = schemas.TimeDuration as Json | undefined;
  if (typeof duration?.pattern === 'string')
    duration.pattern = duration.pattern.replace('^P(?:$)', '^P(?!$)').replace('T(?:\\d)', 'T(?=\\d)');
}

export function loadSpecValidator(): SpecValidator {
  const spec = parse(readFileSync(SPEC_PATH, 'utf8'), { maxAliasCount: -1 }) as Json;
  const schemas = convert((spec.components as Json).schemas) as Json;
  fixSpecErrata(schemas);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  ajv.addSchema({ $id: 'okta', components: { schemas } });
  const paths = new Map<string, Json>();
  for (const [p, item] of Object.entries(spec.paths as Json)) paths.set(p.replace(/\{[^}]+\}/g, '{}'), item as Json);
  const compiled = new Map<string, ValidateFunction>();
  const resolveRef = (node: Json): Json => {
    let n = node;
    while (typeof n.$ref === 'string') {
      const parts = (n.$ref as string).replace(/^#\//, '').split('/');
      n = parts.reduce<Json>((acc, part) => acc[part] as Json, spec);
    }
    return n;
  };
  return {
    check(template, method, status, body) {
      const key = `${method} ${template} ${status}`;
      let validate = compiled.get(key);
      if (!validate) {
        const op = paths.get(template.replace(/\{[^}]+\}/g, '{}'))?.[method.toLowerCase()] as Json | undefined;
        if (!op) return [`the spec has no ${method} ${template}`];
        const responses = op.responses as Json;
        // Some operations omit their 401/403/429 responses; those bodies are Okta's Error.
        const response =
          responses[String(status)] ??
          responses[`${String(status)[0]}XX`] ??
          responses.default ??
          (status >= 400 ? { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : undefined);
        if (!response) return [`the spec has no ${status} response for ${method} ${template}`];
        const schema = (resolveRef(response as Json).content as Json | undefined)?.['application/json'] as Json | undefined;
        if (!schema?.schema) return [`the spec has no JSON schema for ${status} of ${method} ${template}`];
        validate = ajv.compile(convert(schema.schema) as Json);
        compiled.set(key, validate);
      }
      return validate(body)
        ? []
        : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
    },
  };
}
