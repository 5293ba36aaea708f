/**
 * Large configs are parsed in pieces (long runs of one-line sequence items apart from the rest),
 * so a 50,000-user file's syntax tree is never in memory whole (the library alone misses plan L's
 * 250 MB target: docs/benchmarks.md). The pieces must give exactly what the library's one
 * whole-document parse gives: the same data, the same positions, the same errors; and anything
 * the pieces can't be sure of goes the whole-document way. Every test here runs both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positionOf, readConfigSource } from '../../src/config/source-file.js';
import { loadFile, loadText, writeTemp } from './helpers.js';

/** A valid config of `n` users per Spoke (over the size where pieces are used), one line each. */
function bigConfig(
  n: number,
  spokes = ['emea', 'apac'],
  item = (s: string, k: number) => `        - { login: user${k}@${s}.example.com }`,
): string {
  const lines = ['version: 1', 'hub:', '  url: https://hub.okta.com', '  auth:', '    token: ${HUB_TOKEN}', 'spokes:'];
  for (const s of spokes) {
    lines.push(
      `  - name: ${s}`,
      `    url: https://${s}.okta.com`,
      '    auth:',
      `      token: \${${s.toUpperCase()}_TOKEN}`,
      '    app:',
      '      label: Hub',
      '    assignments:',
      '      users:',
    );
    for (let k = 0; k < n; k++) lines.push(item(s, k));
    lines.push('      groups:', '        - { name: Everyone }');
  }
  return lines.join('\n') + '\n';
}

/** The file both ways: in pieces where it can be (what the commands do), and whole by the library. */
async function bothWays(text: string) {
  const file = writeTemp(text);
  const [source, reference] = await Promise.all([readConfigSource(file), readConfigSource(file, { whole: true })]);
  assert.equal(reference.positions.runs.size, 0, 'the library parsed the whole document');
  return { source, reference };
}

const ENV = { HUB_TOKEN: 'x', EMEA_TOKEN: 'y', APAC_TOKEN: 'z' };
const WAYS = [
  { way: 'in pieces', parse: {} },
  { way: 'whole', parse: { whole: true } },
] as const;

test('pieces: the same data and positions as one whole-document parse', async () => {
  const { source, reference } = await bothWays(bigConfig(6000));
  assert.equal(source.positions.runs.size, 2, "each Spoke's users are a run parsed apart");
  assert.deepEqual(source.data, reference.data);
  const pointers = [
    '',
    '/spokes/0/assignments/users/0',
    '/spokes/0/assignments/users/0/login',
    '/spokes/0/assignments/users/5999/login',
    '/spokes/1/assignments/users/2500',
    '/spokes/1/assignments/users/6000',
    '/spokes/1/assignments/groups/0/name',
    '/spokes/0/assignments/users/17/unknown',
    '/spokes/1/app/label',
    '/spokes/1/assignments/users/5999',
  ];
  for (const pointer of pointers) {
    for (const key of [false, true])
      assert.deepEqual(positionOf(source, pointer, { key }), positionOf(reference, pointer, { key }), `${pointer} (key: ${key})`);
  }
});

test('pieces: runs broken by multi-line items, comments and anchors give the same data', async () => {
  const item = (s: string, k: number): string =>
    k === 300
      ? `        - login: multi${k}@${s}.example.com\n          initialStatus: active_with_pass`
      : k === 900
        ? `        - { login: "flow${k}@${s}.example.com",\n            initialStatus: active_with_pass }`
        : k === 1500
          ? '        # a comment between items'
          : k === 2000
            ? `        - &anchored { login: anchor@${s}.example.com }`
            : k === 2001
              ? '        - *anchored'
              : `        - { login: user${k}@${s}.example.com }`;
  const text = bigConfig(6000, ['emea'], item).replace('- *anchored', '- { login: alias@emea.example.com }');
  const { source, reference } = await bothWays(text);
  assert.ok(source.positions.runs.size >= 3, `runs around the irregular items (${source.positions.runs.size})`);
  assert.deepEqual(source.data, reference.data);
  for (const pointer of [
    '/spokes/0/assignments/users/299',
    '/spokes/0/assignments/users/300/initialStatus',
    '/spokes/0/assignments/users/899/login',
    '/spokes/0/assignments/users/4000',
  ]) {
    assert.deepEqual(positionOf(source, pointer), positionOf(reference, pointer), pointer);
  }
});

test('pieces: item-like lines inside a block scalar are text, not items (whole-document parse)', async () => {
  const note = Array.from({ length: 400 }, (_, k) => `  - line ${k}`).join('\n');
  const text = `note: |\n${note}\n` + bigConfig(6000).replace('version: 1\n', 'version: 1\n');
  const { source, reference } = await bothWays(text);
  assert.deepEqual(source.data, reference.data);
  assert.equal(typeof (source.data as { note: unknown }).note, 'string');
  assert.equal(source.positions.runs.size, 0, 'the guess was refused: parsed as one document');
});

test('pieces: an error inside a run is reported at its line, as for a small file', async () => {
  const text = bigConfig(6000).replace(
    '- { login: user4321@apac.example.com }',
    '- { login: user4321@apac.example.com, login: again@apac.example.com }',
  );
  const line = text.split('\n').findIndex((l) => l.includes('again@apac')) + 1;
  for (const { way, parse } of WAYS) {
    const outcome = await loadText(text, { env: ENV, parse });
    assert.equal(outcome.ok, false, way);
    assert.ok(
      !outcome.ok && outcome.problems.some((p) => p.line === line && /duplicate key/.test(p.message)),
      `${way}: ${JSON.stringify(!outcome.ok && outcome.problems)}`,
    );
  }
});

test("pieces: a schema problem in one item of a run points at that item's key", async () => {
  const text = bigConfig(6000).replace(
    '- { login: user4321@emea.example.com }',
    '- { login: user4321@emea.example.com, intialStatus: active_with_pass }',
  );
  const lineText = text.split('\n').find((l) => l.includes('intialStatus'))!;
  const line = text.split('\n').indexOf(lineText) + 1;
  for (const { way, parse } of WAYS) {
    const outcome = await loadText(text, { env: ENV, parse });
    assert.equal(outcome.ok, false, way);
    const problem = !outcome.ok ? outcome.problems.find((p) => /intialStatus/.test(p.message)) : undefined;
    assert.ok(problem, `${way}: ${JSON.stringify(!outcome.ok && outcome.problems)}`);
    assert.deepEqual([problem.line, problem.col], [line, lineText.indexOf('intialStatus') + 1], way);
  }
});

test("50,000 users (plan L's size): loadConfig gives the same DesiredState both ways", async () => {
  const spokes = ['emea', 'apac', 'amer'];
  const text = bigConfig(16_667, spokes);
  const env = { HUB_TOKEN: 'x', EMEA_TOKEN: 'y', APAC_TOKEN: 'z', AMER_TOKEN: 'w' };
  const file = writeTemp(text);
  const [pieces, whole] = [await loadFile(file, { env }), await loadFile(file, { env, parse: { whole: true } })];
  assert.ok(pieces.ok && whole.ok, JSON.stringify([!pieces.ok && pieces.problems, !whole.ok && whole.problems]));
  const users = pieces.result.desired.spokes.reduce((n, s) => n + s.assignments.users.length, 0);
  assert.equal(users, 50_001);
  // Same values, warnings and source positions (each user's line) from both parses.
  assert.deepEqual(pieces.result, whole.result);
});
