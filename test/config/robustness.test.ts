/** Bad input of every kind: one clear problem, a ConfigError (exit 1 in the CLI), never a crash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, errorLines, loadFile, loadText, tempDir, withLine, writeTemp } from './helpers.js';

test('a missing path', async () => {
  const outcome = await loadFile(join(tempDir(), 'nope.yaml'));
  assert.deepEqual(errorLines(outcome), ['1:1 file not found — check the path, or pass another one with -c FILE']);
});

test('a directory', async () => {
  const dir = join(tempDir(), 'a-dir');
  mkdirSync(dir);
  const outcome = await loadFile(dir);
  assert.deepEqual(errorLines(outcome), [
    '1:1 this is a directory, not a file — pass the YAML file inside it, e.g. -c DIR/org2org.config.yaml',
  ]);
});

test('an empty file, and one with only comments', async () => {
  assert.deepEqual(errorLines(await loadText('')), ['1:1 file is empty — start from examples/minimal.yaml']);
  assert.deepEqual(errorLines(await loadText('  \n\n')), ['1:1 file is empty — start from examples/minimal.yaml']);
  assert.deepEqual(errorLines(await loadText('# nothing yet\n')), [
    '1:1 file has no content (only comments) — start from examples/minimal.yaml',
  ]);
});

test('binary junk and non-UTF-8 text', async () => {
  const junk = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff, 0xfe]);
  assert.deepEqual(errorLines(await loadText(junk)), ['1:1 file is binary, not YAML text — pass the YAML config file']);
  assert.deepEqual(errorLines(await loadText(Buffer.from('version: 1\nhub: \xff\xfe\n', 'latin1'))), [
    '1:1 file is not UTF-8 text — save it as UTF-8',
  ]);
});

test('tabs used for indentation', async () => {
  assert.deepEqual(errorLines(await loadText(withLine(10, '\tlabel: x'))), [
    '10:1 tab used for indentation — YAML needs spaces; replace the tab with spaces',
  ]);
});

test('duplicate keys: each one reported', async () => {
  const text = withLine(10, '      label: Acme Hub\n      label: Other').replace(
    '  url: https://acme.okta.com',
    '  url: https://acme.okta.com\n  url: https://other.okta.com',
  );
  assert.deepEqual(errorLines(await loadText(text)), [
    '4:3 duplicate key — each key may appear once in a mapping; remove or merge the repeated one',
    '12:7 duplicate key — each key may appear once in a mapping; remove or merge the repeated one',
  ]);
});

test('a recursive YAML alias is refused, wherever it is (exit 1, not a stack overflow)', async () => {
  assert.deepEqual(errorLines(await loadText('x: &x [*x]\n')), [
    '1:8 a YAML alias refers to a node that contains it (at /x/0), so the value never ends — write the value out instead',
  ]);
  assert.deepEqual(errorLines(await loadText('a: &a\n  b: *a\n')), [
    '2:6 a YAML alias refers to a node that contains it (at /a/b), so the value never ends — write the value out instead',
  ]);
  const deep = await loadText(BASE + 'extra: &e\n  list:\n    - { inner: [1, *e] }\n');
  assert.match(errorLines(deep)[0]!, /contains it \(at \/extra\/list\/0\/inner\/1\)/);
  // Two aliases of one anchor are not recursion.
  assert.ok(!errorLines(await loadText(BASE + 'extra: &e [1]\nmore: [*e, *e]\n')).some((l) => /contains it/.test(l)));
});

test('an alias to an anchor not defined before it', async () => {
  assert.deepEqual(errorLines(await loadText('[*a]\n')), [
    '1:1 an alias (*name) refers to an anchor (&name) that is not defined before it — define the anchor first, or write the value out',
  ]);
});

test('a YAML alias bomb is refused', async () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const outcome = await loadText(levels.join('\n') + '\n');
  assert.deepEqual(errorLines(outcome), [
    '1:1 too many YAML aliases (over 1000 expanded) — this looks like an alias bomb; write the values out instead',
  ]);
});

test('a 20 MB file is refused before it is read', async () => {
  const file = writeTemp('', 'huge.yaml');
  const fd = openSync(file, 'r+');
  ftruncateSync(fd, 20 * 1024 * 1024);
  closeSync(fd);
  assert.deepEqual(errorLines(await loadFile(file)), [
    '1:1 file is 20.0 MB, over the 5 MB limit for a config file — split it or remove generated content',
  ]);
});

test('not a mapping at the top, and wrong types at every level', async () => {
  assert.deepEqual(errorLines(await loadText('- just\n- a list\n')), [
    '1:1 the file must be a mapping (key: value lines), not a list — fix its value',
  ]);
  assert.deepEqual(errorLines(await loadText('just text\n')), [
    '1:1 the file must be a mapping (key: value lines), not text — fix its value',
  ]);
  assert.deepEqual(errorLines(await loadText('version: 1\nhub: 3\nspokes: yes\n')), [
    '2:6 hub must be a mapping (key: value lines), not an integer — fix its value',
    '3:9 spokes must be a list (- item lines), not text — fix its value',
  ]);
  assert.deepEqual(errorLines(await loadText('version: 1\nhub:\nspokes:\n  - 7\n')), [
    '2:1 hub must be a mapping (key: value lines), not empty (null) — fix its value',
    '4:5 spokes[0] must be a mapping (key: value lines), not an integer — fix its value',
  ]);
});

test('the base config of the corpus is itself valid (so each broken variant shows one cause)', async () => {
  const outcome = await loadText(BASE);
  assert.ok(outcome.ok);
});

test('deeply nested brackets are refused before the parser recurses', async () => {
  const n = 100_000;
  assert.deepEqual(errorLines(await loadText(`version: 1\nhub: ${'['.repeat(n)}${']'.repeat(n)}\n`)), [
    '2:70 brackets nested more than 64 levels deep — a config is a few levels deep; check the file',
  ]);
});

test('several YAML documents in one file', async () => {
  assert.deepEqual(errorLines(await loadText(`${BASE}---\nversion: 1\n`)), [
    '25:1 more than one YAML document — keep one config per file (remove the `---`)',
  ]);
});
