/**
 * `npm pack` gives a package that installs into an empty folder and runs: `org2org --help`, and
 * `org2org validate` with the schema it ships. The install never touches a registry or the user's
 * npm cache: npm gets a fresh, empty cache and a registry on loopback that serves the dependencies
 * already in this project's node_modules (./local-registry.ts), so the test passes on a fresh
 * machine with no network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './helpers.js';
import { startLocalRegistry } from './local-registry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Async, so the registry living in this process can answer while the child runs. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** npm with nothing from the calling npm, the user's config or a proxy: only what is set here. */
function isolatedNpmEnv(dir: string, registry: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && !/_proxy$/i.test(k)) env[k] = v;
  }
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, '');
  return {
    ...env,
    npm_config_userconfig: userconfig,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_registry: registry,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_noproxy: '127.0.0.1,localhost',
  };
}

test('npm pack → install into an empty folder (no registry, cold cache) → org2org --help and validate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'org2org-pack-'));
  const registry = await startLocalRegistry(root);
  t.after(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const npmEnv = isolatedNpmEnv(dir, registry.url);

  const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], root, npmEnv);
  assert.equal(pack.status, 0, pack.stderr);
  const packed = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tgz = join(dir, packed[0]!.filename.split('/').pop()!);
  const shipped = packed[0]!.files.map((f) => f.path);
  for (const needed of ['bin/org2org.js', 'src/cli/main.ts', 'src/config/load.ts', 'schemas/org2org.schema.json', 'package.json']) {
    assert.ok(shipped.includes(needed), `${needed} is not in the package`);
  }
  assert.ok(!shipped.some((p) => p.startsWith('test/')), 'tests should not be shipped');

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-test', version: '1.0.0', private: true }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', tgz], app, npmEnv);
  assert.equal(install.status, 0, install.stderr);
  assert.ok(registry.requested.includes('ajv'), `the dependencies came from the local registry (asked for: ${registry.requested.join(', ')})`);

  const bin = join(app, 'node_modules', '.bin', 'org2org');
  const help = await run(bin, ['--help'], app, process.env);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^org2org \d+\.\d+\.\d+ — Okta Org2Org provisioning as code/);
  assert.match(help.stdout, /validate/);

  writeFileSync(join(app, 'org2org.config.yaml'), BASE);
  const validate = await run(bin, ['validate'], app, { ...process.env, GITHUB_ACTIONS: '' });
  assert.equal(validate.status, 0, validate.stdout + validate.stderr);
  assert.match(validate.stdout, /✓ valid: 1 spoke, 3 assignments/);
});
