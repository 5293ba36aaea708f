/**
 * `npm run docs`: writes docs/config-reference.md from the JSON Schema's descriptions, so the
 * reference can't drift from what ajv enforces. test/config/docs.test.ts fails when it's stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';

type SchemaNode = {
  $ref?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  $defs?: Record<string, SchemaNode>;
};

export const SCHEMA_PATH = new URL('../schemas/org2org.schema.json', import.meta.url);
export const REFERENCE_PATH = new URL('../docs/config-reference.md', import.meta.url);
export const README_PATH = new URL('../README.md', import.meta.url);

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

/** The README with the generated reference between its markers (the markers must be there). */
export function spliceIntoReadme(readme: string, reference: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${reference}${readme.slice(end)}`;
}

function resolve(root: SchemaNode, node: SchemaNode): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/$defs/', '');
  const target = root.$defs?.[name];
  if (!target) throw new Error(`unresolvable $ref ${node.$ref}`);
  // A description next to a $ref is more specific than the definition's own.
  return { ...resolve(root, target), ...(node.description ? { description: node.description } : {}) };
}

function typeLabel(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  if (types.length === 2 && types.includes('boolean') && types.includes('object')) return '`false` \\| mapping';
  return types.map((t) => (t === 'object' ? 'mapping' : t === 'array' ? 'list' : t)).join(' \\| ') || 'any';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function walkProperties(root: SchemaNode, n: SchemaNode, path: string, rows: string[]): void {
  for (const [key, child] of Object.entries(n.properties ?? {})) {
    walk(root, child, path ? `${path}.${key}` : key, n.required?.includes(key) ?? false, rows);
  }
}

function walk(root: SchemaNode, node: SchemaNode, path: string, required: boolean, rows: string[]): void {
  const n = resolve(root, node);
  if (path) rows.push(`| \`${path}\` | ${typeLabel(n)} | ${required ? 'yes' : ''} | ${cell(n.description ?? '')} |`);
  walkProperties(root, n, path, rows);
  // A list of mappings documents its items' fields as `list[].field`.
  if (n.items) walkProperties(root, resolve(root, n.items), `${path}[]`, rows);
  if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    walk(root, n.additionalProperties, `${path}.<name>`, false, rows);
  }
}

export function renderConfigReference(schema: SchemaNode): string {
  const rows: string[] = [];
  walk(schema, schema, '', false, rows);
  return [
    '## Config reference',
    '',
    '<!-- Generated from schemas/org2org.schema.json by `npm run docs`; edit the schema, not this file. -->',
    '',
    schema.description ?? '',
    '',
    '| Field | Type | Required | Description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && /gen-docs\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
  const reference = renderConfigReference(schema);
  writeFileSync(REFERENCE_PATH, reference);
  writeFileSync(README_PATH, spliceIntoReadme(readFileSync(README_PATH, 'utf8'), reference));
  process.stdout.write(`wrote ${REFERENCE_PATH.pathname} and the reference in ${README_PATH.pathname}\n`);
}
