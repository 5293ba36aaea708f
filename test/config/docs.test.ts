/** docs/config-reference.md is generated from the schema: fail when someone forgot `npm run docs`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { README_PATH, REFERENCE_PATH, renderConfigReference, SCHEMA_PATH, spliceIntoReadme } from '../../scripts/gen-docs.js';

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));

test('docs/config-reference.md is up to date with the schema (run `npm run docs`)', () => {
  assert.equal(readFileSync(REFERENCE_PATH, 'utf8'), renderConfigReference(schema));
});

test('the README carries the same generated reference (run `npm run docs`)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  assert.equal(readme, spliceIntoReadme(readme, renderConfigReference(schema)));
});

test('a schema change shows up in the reference', () => {
  const changed = structuredClone(schema);
  changed.properties.version.description = 'Changed.';
  assert.notEqual(renderConfigReference(changed), renderConfigReference(schema));
  assert.match(renderConfigReference(changed), /\| `version` \| `1` \| yes \| Changed\. \|/);
});

test('every property in the schema has a description and every object is closed', () => {
  const missing: string[] = [];
  const open: string[] = [];
  const walk = (node: Record<string, unknown>, path: string): void => {
    if (node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'))) {
      // profile mappings are free-form by design (any app-user attribute); their values are typed.
      if (node.additionalProperties !== false && !/profile$/.test(path)) open.push(path);
    }
    for (const [key, child] of Object.entries((node.properties as Record<string, Record<string, unknown>>) ?? {})) {
      const target = child.$ref ? schema.$defs[String(child.$ref).replace('#/$defs/', '')] : child;
      if (!child.description && !target.description) missing.push(`${path}.${key}`);
      walk(child, `${path}.${key}`);
    }
    if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
  };
  walk(schema, '');
  for (const [name, def] of Object.entries(schema.$defs as Record<string, Record<string, unknown>>)) walk(def, `$defs.${name}`);
  assert.deepEqual(missing, []);
  assert.deepEqual(open, []);
});
