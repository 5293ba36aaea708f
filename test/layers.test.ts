/**
 * Imports run down the stack only: cli → render → apply, export → plan → state → okta, config;
 * check (the `check` command's org checks) sits beside apply and export, on state, and only cli
 * calls it. okta and config know nothing of each other; apply and export know nothing of each other;
 * render sits just above them because it draws what they report. The files at the top of src/
 * (errors, credentials, loopback, org-url, version) are the vocabulary every layer shares, and import
 * nothing above them. The simulator stands apart: only the CLI starts it, and it imports none
 * of the tool. Checked on the source itself, like the purity test of src/plan.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Which layers each layer may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['render', 'apply', 'export', 'check', 'plan', 'state', 'okta', 'config', 'sim', 'shared'],
  render: ['apply', 'export', 'plan', 'state', 'okta', 'config', 'shared'],
  apply: ['plan', 'state', 'okta', 'config', 'shared'],
  export: ['plan', 'state', 'okta', 'config', 'shared'],
  check: ['state', 'okta', 'config', 'shared'],
  plan: ['state', 'config', 'shared'],
  state: ['okta', 'config', 'shared'],
  okta: ['shared'],
  config: ['shared'],
  sim: [],
  shared: [],
};

/** `cli/commands/apply.ts` → `cli`; a file directly in src/ → `shared`. */
function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length === 1 ? 'shared' : parts[0]!;
}

/** Relative specifiers a module imports (static, re-exports and literal dynamic imports). */
function specifiers(source: string): string[] {
  const found = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return found;
}

/** Every import of `file` (relative to src/) that runs up the stack or sideways, as "from → to". */
export function backEdges(file: string, source: string): string[] {
  const from = layerOf(file);
  const allowed = MAY_IMPORT[from];
  assert.ok(allowed, `${file}: no layer "${from}" in the layer table`);
  const edges: string[] = [];
  for (const spec of specifiers(source)) {
    const target = normalize(join(dirname(file), spec)).replace(/\\/g, '/');
    if (target.startsWith('..')) {
      edges.push(`${file} → ${spec} (outside src/)`);
      continue;
    }
    const to = layerOf(target);
    // A command is a leaf: what two commands share lives beside them, not in one of them. The
    // demo is the exception, being a scripted run of the others.
    if (file.startsWith('cli/commands/') && target.startsWith('cli/commands/') && file !== 'cli/commands/demo.ts') {
      edges.push(`${file} → ${target} (one command importing another)`);
      continue;
    }
    if (to !== from && !allowed.includes(to)) edges.push(`${file} → ${target} (${from} may not import ${to})`);
  }
  return edges;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [relative(SRC, path).replace(/\\/g, '/')] : [];
  });
}

test('every import in src/ runs down the stack', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.includes('plan/create-plan.ts') && files.includes('cli/main.ts'), 'the walk found the source');
  const edges = files.flatMap((file) => backEdges(file, readFileSync(join(SRC, file), 'utf8')));
  assert.deepEqual(edges, []);
});

test('the check catches a back-edge of each kind', () => {
  assert.deepEqual(backEdges('okta/client.ts', "import type { X } from '../state/types.js';"), [
    'okta/client.ts → state/types.js (okta may not import state)',
  ]);
  assert.deepEqual(backEdges('okta/auth.ts', "import type { OrgAuth } from '../config/types.js';"), [
    'okta/auth.ts → config/types.js (okta may not import config)',
  ]);
  assert.deepEqual(backEdges('export/read.ts', "export { a } from '../apply/types.js';"), [
    'export/read.ts → apply/types.js (export may not import apply)',
  ]);
  assert.deepEqual(backEdges('plan/p.ts', "const m = await import('../render/text.js');"), [
    'plan/p.ts → render/text.js (plan may not import render)',
  ]);
  assert.deepEqual(backEdges('cli/commands/apply.ts', "import { progressFor } from './plan.js';"), [
    'cli/commands/apply.ts → cli/commands/plan.js (one command importing another)',
  ]);
  assert.deepEqual(backEdges('sim/server.ts', "import { isLoopback } from '../loopback.js';"), [
    'sim/server.ts → loopback.js (sim may not import shared)',
  ]);
  assert.deepEqual(
    backEdges('render/ink/view.tsx', "import { paint } from '../progress-text.js';\nimport type { Plan } from '../../plan/types.js';"),
    [],
  );
});
