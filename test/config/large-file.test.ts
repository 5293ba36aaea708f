/**
 * Large configs are parsed in pieces (long runs of one-line sequence items apart from the rest),
 * so a 50,000-user file's syntax tree is never in memory whole. The pieces must give exactly
 * what one whole-document parse gives: the same data, the same positions, the same errors; and
 * anything the pieces can't be sure of goes the whole-document way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { positionOf, readConfigSource, type ConfigSource } from '../../src/config/source-file.js';
import { loadText, writeTemp } from './helpers.js';

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

/** The same file parsed as one document, the way small files are. */
function whole(text: string): Pick<ConfigSource, 'positions' | 'data'> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, strict: true });
  return { positions: { doc, lineCounter, text, runs: new Map() }, data: doc.toJS() };
}

test('pieces: the same data and positions as one whole-document parse', async () => {
  const text = bigConfig(6000);
  const file = writeTemp(text);
  const source = await readConfigSource(file);
  assert.equal(source.positions.runs.size, 2, "each Spoke's users are a run parsed apart");
  const reference = whole(text);
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
  const source = await readConfigSource(writeTemp(text));
  assert.ok(source.positions.runs.size >= 3, `runs around the irregular items (${source.positions.runs.size})`);
  assert.deepEqual(source.data, whole(text).data);
  for (const pointer of [
    '/spokes/0/assignments/users/299',
    '/spokes/0/assignments/users/300/initialStatus',
    '/spokes/0/assignments/users/899/login',
    '/spokes/0/assignments/users/4000',
  ]) {
    assert.deepEqual(positionOf(source, pointer), positionOf(whole(text), pointer), pointer);
  }
});

test('pieces: item-like lines inside a block scalar are text, not items (whole-document parse)', async () => {
  const note = Array.from({ length: 400 }, (_, k) => `  - line ${k}`).join('\n');
  const text = `note: |\n${note}\n` + bigConfig(6000).replace('version: 1\n', 'version: 1\n');
  const source = await readConfigSource(writeTemp(text));
  const reference = whole(text);
  assert.deepEqual(source.data, reference.data);
  assert.equal(typeof (source.data as { note: unknown }).note, 'string');
  assert.equal(source.positions.runs.size, 0, 'the guess was refused: parsed as one document');
});

test('pieces: an error inside a run is reported at its line, as for a small file', async () => {
  const text = bigConfig(6000).replace(
    '- { login: user4321@apac.example.com }',
    '- { login: user4321@apac.example.com, login: again@apac.example.com }',
  );
  const outcome = await loadText(text, { env: { HUB_TOKEN: 'x', EMEA_TOKEN: 'y', APAC_TOKEN: 'z' } });
  assert.equal(outcome.ok, false);
  const line = text.split('\n').findIndex((l) => l.includes('again@apac')) + 1;
  assert.ok(
    !outcome.ok && outcome.problems.some((p) => p.line === line && /duplicate key/.test(p.message)),
    JSON.stringify(!outcome.ok && outcome.problems),
  );
});

test("pieces: a schema problem in one item of a run points at that item's key", async () => {
  const text = bigConfig(6000).replace(
    '- { login: user4321@emea.example.com }',
    '- { login: user4321@emea.example.com, intialStatus: active_with_pass }',
  );
  const outcome = await loadText(text, { env: { HUB_TOKEN: 'x', EMEA_TOKEN: 'y', APAC_TOKEN: 'z' } });
  assert.equal(outcome.ok, false);
  const lineText = text.split('\n').find((l) => l.includes('intialStatus'))!;
  const line = text.split('\n').indexOf(lineText) + 1;
  const problem = !outcome.ok ? outcome.problems.find((p) => /intialStatus/.test(p.message)) : undefined;
  assert.ok(problem, JSON.stringify(!outcome.ok && outcome.problems));
  assert.deepEqual([problem.line, problem.col], [line, lineText.indexOf('intialStatus') + 1]);
});
