/** `org2org validate`: formats, exit codes, usage errors; problems are its data, on stdout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.js';
import { runValidate } from './capture.js';
import { BASE, withLine, writeTemp } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BROKEN = withLine(10, '      lable: Acme Hub').replace('authScheme: TOKEN', 'authScheme: TOKENS');

function withoutGithub<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.GITHUB_ACTIONS;
  delete process.env.GITHUB_ACTIONS;
  return fn().finally(() => {
    if (saved !== undefined) process.env.GITHUB_ACTIONS = saved;
  });
}

test('text: FILE:LINE:COL error lines, then a summary; exit 1', async () => {
  const file = writeTemp(BROKEN);
  const { code, out } = await withoutGithub(() => runValidate(['-c', file]));
  assert.equal(code, 1);
  assert.equal(
    out,
    [
      `${file}:10:7 error: unknown key "lable" in spokes[0].app — did you mean "label"?`,
      `${file}:12:19 error: "TOKENS" is not a valid spokes[0].connection.authScheme — did you mean "TOKEN"?`,
      `✗ invalid: 2 errors in ${file}`,
      '',
    ].join('\n'),
  );
});

test('text: a valid file with unset variables is just valid (offline, they are expected); --strict makes them errors', async () => {
  const file = writeTemp(BASE);
  const { code, out } = await withoutGithub(() => runValidate(['--config', file]));
  assert.equal(code, 0);
  assert.equal(out, '✓ valid: 1 spoke, 3 assignments\n');
  const strict = await withoutGithub(() => runValidate(['--config', file, '--strict']));
  assert.equal(strict.code, 1);
  assert.equal(
    strict.out,
    [
      `${file}:8:14 error: environment variable EMEA_TOKEN is not set — export EMEA_TOKEN before running this command`,
      `${file}:13:14 error: environment variable HUB_TOKEN is not set — export HUB_TOKEN before running this command`,
      `✗ invalid: 2 errors in ${file}`,
      '',
    ].join('\n'),
  );
});

test('github: no annotation about unset variables in a fork job (nothing is set there)', async () => {
  const saved = process.env.GITHUB_ACTIONS;
  process.env.GITHUB_ACTIONS = 'true';
  try {
    const { code, out } = await runValidate(['-c', writeTemp(BASE)]);
    assert.equal(code, 0);
    assert.equal(out, '✓ valid: 1 spoke, 3 assignments\n');
  } finally {
    if (saved === undefined) delete process.env.GITHUB_ACTIONS;
    else process.env.GITHUB_ACTIONS = saved;
  }
});

test('github: ::error annotations, chosen automatically under GITHUB_ACTIONS=true', async () => {
  const file = writeTemp(BROKEN);
  const saved = process.env.GITHUB_ACTIONS;
  process.env.GITHUB_ACTIONS = 'true';
  try {
    const { code, out } = await runValidate(['-c', file]);
    assert.equal(code, 1);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0], `::error file=${file},line=10,col=7::unknown key "lable" in spokes[0].app — did you mean "label"?`);
    assert.equal(lines.length, 3);
    // An explicit --format wins over the environment.
    const text = await runValidate(['-c', file, '--format', 'text']);
    assert.match(text.out, /^\S+:10:7 error: /);
  } finally {
    if (saved === undefined) delete process.env.GITHUB_ACTIONS;
    else process.env.GITHUB_ACTIONS = saved;
  }
});

test('json: valid, errors, warnings', async () => {
  const bad = await runValidate(['-c', writeTemp(BROKEN), '--format', 'json']);
  assert.equal(bad.code, 1);
  const report = JSON.parse(bad.out) as {
    valid: boolean;
    errors: Array<{ line: number; col: number; pointer: string }>;
    warnings: unknown[];
  };
  assert.equal(report.valid, false);
  assert.deepEqual(
    report.errors.map((e) => [e.line, e.col, e.pointer]),
    [
      [10, 7, '/spokes/0/app/lable'],
      [12, 19, '/spokes/0/connection/authScheme'],
    ],
  );
  const good = await runValidate(['-c', writeTemp(BASE), '--format', 'json']);
  assert.equal(good.code, 0);
  const ok = JSON.parse(good.out) as { valid: boolean; errors: unknown[]; warnings: unknown[] };
  assert.deepEqual([ok.valid, ok.errors.length, ok.warnings.length], [true, 0, 0]);
});

test('unknown flags and formats are usage errors with a hint; --help prints the usage', async () => {
  await assert.rejects(
    runValidate(['--bogus']),
    (err: unknown) => err instanceof UsageError && /--bogus/.test(err.message) && /org2org help validate/.test(err.message),
  );
  await assert.rejects(
    runValidate(['--format', 'xml']),
    (err: unknown) => err instanceof UsageError && /use text, json or github/.test(err.message),
  );
  await assert.rejects(runValidate(['extra']), UsageError);
  const help = await runValidate(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: org2org validate \[-c FILE\] \[--format text\|json\|github\] \[--strict\]/);
});

test('through the real binary: the root config is valid, a missing file exits 1 without a stack trace', () => {
  const env = { ...process.env, GITHUB_ACTIONS: '' };
  const ok = spawnSync(process.execPath, ['bin/org2org.js', 'validate'], { cwd: root, encoding: 'utf8', env });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /✓ valid: 2 spokes, 6 assignments/);
  const missing = spawnSync(process.execPath, ['bin/org2org.js', 'validate', '-c', 'no/such.yaml'], { cwd: root, encoding: 'utf8', env });
  assert.equal(missing.status, 1);
  assert.equal(
    missing.stdout,
    'no/such.yaml:1:1 error: file not found — check the path, or pass another one with -c FILE\n✗ invalid: 1 error in no/such.yaml\n',
  );
  assert.doesNotMatch(missing.stderr, /at \S+ \(/);
});
