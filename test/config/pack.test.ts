/**
 * `npm pack` gives a package that installs into an empty folder (offline, from the local npm
 * cache) and runs: `org2org --help`, and `org2org validate` with the schema it ships.
 * Set ORG2ORG_SKIP_PACK_TEST=1 to skip it where the npm cache is empty (it then needs the registry).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('npm pack → install into an empty folder → org2org --help and validate', { skip: process.env.ORG2ORG_SKIP_PACK_TEST === '1' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'org2org-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', env: npmEnv })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tgz = packed[0]!.filename;
  const shipped = packed[0]!.files.map((f) => f.path);
  for (const needed of ['bin/org2org.js', 'src/cli/main.ts', 'src/config/load.ts', 'schemas/org2org.schema.json', 'package.json']) {
    assert.ok(shipped.includes(needed), `${needed} is not in the package`);
  }
  assert.ok(!shipped.some((p) => p.startsWith('test/')), 'tests should not be shipped');

  const app = join(dir, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-test', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, tgz.split('/').pop()!)], { cwd: app, encoding: 'utf8', env: npmEnv, stdio: 'pipe' });

  const bin = join(app, 'node_modules', '.bin', 'org2org');
  const help = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^org2org \d+\.\d+\.\d+ — Okta Org2Org provisioning as code/);
  assert.match(help.stdout, /validate/);

  writeFileSync(join(app, 'org2org.config.yaml'), BASE);
  const validate = spawnSync(bin, ['validate'], { cwd: app, encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: '' } });
  assert.equal(validate.status, 0, validate.stdout + validate.stderr);
  assert.match(validate.stdout, /✓ valid: 1 spoke, 3 assignments/);
});
