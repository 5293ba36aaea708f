/**
 * Schema validation: ajv against schemas/org2org.schema.json (the single truth of the format),
 * every error at once, each turned into one sentence that points at the offending node.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { SourceProblem } from '../errors.js';
import { suggestClosest } from './did-you-mean.js';
import { positionOf, problemAt, type ConfigSource } from './source-file.js';

export const SCHEMA_URL = new URL('../../schemas/org2org.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** The parsed JSON Schema (also used by scripts/gen-docs.ts). */
export function readSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  // Compiled once per process: compiling costs far more than validating a 10,000-assignment file.
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(readSchema());
  return compiled;
}

/** Fields whose values are secrets: a message about them never quotes the value. */
export const SENSITIVE_POINTER = /\/(token|privateKey|securityAnswer)$/;

/** `/spokes/0/app/label` → `spokes[0].app.label`, the way users read paths. */
export function describePointer(pointer: string): string {
  if (pointer === '') return 'the file';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function yamlType(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  object: 'a mapping (key: value lines)',
  array: 'a list (- item lines)',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  null: 'empty',
};

function quoted(pointer: string, value: unknown): string {
  return SENSITIVE_POINTER.test(pointer) ? 'this value' : JSON.stringify(value);
}

function explain(error: ErrorObject): { pointer: string; atKey: boolean; message: string } {
  const where = error.instancePath;
  const path = describePointer(where);
  const value = error.data;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = suggestClosest(key, allowed);
      const hint = suggestion ? `did you mean "${suggestion}"?` : allowed.length ? `allowed keys here: ${allowed.join(', ')}` : 'remove it';
      return {
        pointer: `${where}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        atKey: true,
        message: `unknown key "${key}" in ${path} — ${hint}`,
      };
    }
    case 'required':
      return { pointer: where, atKey: true, message: `${path} is missing "${String(params.missingProperty)}" — add it` };
    case 'type': {
      const wanted = String(params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      return { pointer: where, atKey: false, message: `${path} must be ${wanted}, not ${yamlType(value)} — fix its value` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestion = typeof value === 'string' && !SENSITIVE_POINTER.test(where) ? suggestClosest(value, allowed) : undefined;
      const hint = suggestion ? `did you mean "${suggestion}"?` : `use one of: ${allowed.join(', ')}`;
      return { pointer: where, atKey: false, message: `${quoted(where, value)} is not a valid ${path} — ${hint}` };
    }
    case 'const':
      return {
        pointer: where,
        atKey: false,
        message: `${path} must be ${JSON.stringify(params.allowedValue)}, not ${quoted(where, value)} — set it to ${JSON.stringify(params.allowedValue)}`,
      };
    case 'not':
      // The only `not` in the schema: syncPassword, which is `false` or an object.
      return {
        pointer: where,
        atKey: false,
        message: `${path} cannot be true — use false, or { seed: OKTA | RANDOM, change: CHANGE | KEEP_EXISTING }`,
      };
    case 'pattern':
      if (/\/name$/.test(where) && /^\/spokes\/\d+\/name$/.test(where)) {
        return {
          pointer: where,
          atKey: false,
          message: `${quoted(where, value)} is not a valid spoke name — use lowercase letters, digits and dashes, e.g. "emea"`,
        };
      }
      if (/\/scopes\/\d+$/.test(where)) {
        return {
          pointer: where,
          atKey: false,
          message: `${quoted(where, value)} is not an Okta scope — write it like okta.users.read or okta.apps.manage`,
        };
      }
      return { pointer: where, atKey: false, message: `${path} has the wrong format — it must match ${String(params.pattern)}` };
    case 'minLength':
      return { pointer: where, atKey: false, message: `${path} is empty — give it a value` };
    case 'minItems':
      return { pointer: where, atKey: false, message: `${path} is an empty list — add at least ${String(params.limit)} item` };
    case 'minProperties':
    case 'maxProperties':
      if (/\/auth$/.test(where)) {
        return { pointer: where, atKey: false, message: `${path} needs exactly one of "token" or "oauth" — keep one` };
      }
      return { pointer: where, atKey: false, message: `${path} ${error.message ?? 'is invalid'}` };
    case 'uniqueItems':
      return { pointer: where, atKey: false, message: `${path} lists the same value twice — remove the repeat` };
    case 'minimum':
      return { pointer: where, atKey: false, message: `${path} must be at least ${String(params.limit)} — fix its value` };
    default:
      return { pointer: where, atKey: false, message: `${path} ${error.message ?? 'is invalid'} — see docs/config-reference.md` };
  }
}

/** All schema problems of the (unexpanded) document, sorted by position. */
export function checkSchema(source: ConfigSource): SourceProblem[] {
  const validate = validator();
  if (validate(source.data)) return [];
  const seen = new Set<string>();
  const problems: SourceProblem[] = [];
  const errors = validate.errors ?? [];
  // "missing label" next to "unknown key lable — did you mean label?" says the same thing twice.
  const misspelt = new Set(
    errors
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => {
        const allowed = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
        return `${e.instancePath}\0${suggestClosest(String((e.params as Record<string, unknown>).additionalProperty), allowed) ?? ''}`;
      }),
  );
  for (const error of errors) {
    if (
      error.keyword === 'required' &&
      misspelt.has(`${error.instancePath}\0${String((error.params as Record<string, unknown>).missingProperty)}`)
    )
      continue;
    const { pointer, atKey, message } = explain(error);
    const { line, col } = positionOf(source, pointer, { key: atKey });
    const id = `${line}:${col}:${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problemAt(source.file, line, col, pointer, message));
  }
  return problems;
}
