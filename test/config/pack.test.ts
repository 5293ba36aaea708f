/**
 * The package as users get it: `npm pack` (which builds dist/ through `prepare`), then, in a folder
 * that holds nothing but an org2org.config.yaml, `npm install <tarball>` and `npx org2org …`:
 * --help, validate, sim with plan and apply against it, and demo.
 *
 * The install never touches a registry or the user's npm cache: npm gets a fresh, empty cache and
 * a registry on loopback that serves the dependencies already in this project's node_modules
 * (./local-registry.ts), so the test passes on a fresh machine with no network.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './helpers.js';
import { startLocalRegistry, type LocalRegistry } from './local-registry.js';

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

/** The environment without anything from the calling npm, a proxy or GitHub Actions. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && !/_proxy$/i.test(k) && !/^GITHUB_/.test(k)) env[k] = v;
  }
  return { ...env, CI: 'true' };
}

/** npm configured only by what is set here: no user config, an empty cache, the loopback registry. */
function isolatedNpmEnv(dir: string, registry: string): NodeJS.ProcessEnv {
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, '');
  return {
    ...cleanEnv(),
    npm_config_userconfig: userconfig,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_registry: registry,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_noproxy: '127.0.0.1,localhost',
  };
}

interface NpxSim {
  info: { env: Record<string, string>; orgs: Record<string, { url: string }>; config?: string };
  exited: Promise<void>;
  stderr: () => string;
  /** Signals npx and the CLI it started alike; nothing when they are gone. */
  stop: (signal: NodeJS.Signals) => void;
}

/** `npx org2org sim …` in its own process group, as in a terminal; ready once its JSON line is out. */
async function startNpxSim(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<NpxSim> {
  const sim: ChildProcess = spawn('npx', ['--no-install', 'org2org', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stop = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-sim.pid!, signal);
    } catch {
      // already gone
    }
  };
  let simErr = '';
  sim.stderr!.on('data', (d: Buffer) => (simErr += d.toString()));
  const exited = new Promise<void>((resolve) => sim.on('close', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    sim.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void exited.then(() => reject(new Error(`sim exited before printing: ${simErr}`)));
  }).catch((err: unknown) => {
    stop('SIGKILL');
    throw err;
  });
  return { info: JSON.parse(first) as NpxSim['info'], exited, stderr: () => simErr, stop };
}

describe('the packed package, installed from its tarball into a folder holding only a config', () => {
  let dir = '';
  let app = '';
  let registry: LocalRegistry | undefined;
  let npmEnv: NodeJS.ProcessEnv = {};
  let shipped: string[] = [];
  const npx = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
    run('npx', ['--no-install', 'org2org', ...args], app, { ...npmEnv, ...env });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'org2org-pack-'));
    registry = await startLocalRegistry(root);
    npmEnv = isolatedNpmEnv(dir, registry.url);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], root, npmEnv);
    assert.equal(pack.status, 0, pack.stderr);
    const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    shipped = packed[0]!.files.map((f) => f.path);

    app = join(dir, 'acme-okta');
    mkdirSync(app);
    copyFileSync(join(root, 'org2org.config.yaml'), join(app, 'org2org.config.yaml'));
    const install = await run('npm', ['install', '--no-audit', '--no-fund', join(dir, packed[0]!.filename.split('/').pop()!)], app, npmEnv);
    assert.equal(install.status, 0, install.stderr);
  });
  after(async () => {
    await registry?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the install came from the loopback registry and ships compiled JavaScript, no TypeScript, tests or tsx', () => {
    assert.ok(
      registry!.requested.includes('ink'),
      `dependencies come from the local registry (asked for: ${registry!.requested.join(', ')})`,
    );
    for (const needed of [
      'bin/org2org.js',
      'dist/cli/main.js',
      'dist/cli/commands/sim.js',
      'dist/sim/index.js',
      'schemas/org2org.schema.json',
      'examples/sim/seed.yaml',
      'examples/github-actions/plan-on-pr.yml',
      'examples/github-actions/apply-after-merge.yml',
      'examples/github-actions/drift-check.yml',
      'org2org.config.yaml',
      'LICENSE',
      'package.json',
    ]) {
      assert.ok(shipped.includes(needed), `${needed} is not in the package`);
    }
    assert.deepEqual(
      shipped.filter((p) => p.endsWith('.ts') || p.endsWith('.tsx') || p.startsWith('src/') || p.startsWith('test/')),
      [],
    );
    assert.match(readFileSync(join(app, 'node_modules/org2org/LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
    const installed = readdirSync(join(app, 'node_modules'));
    assert.ok(!installed.includes('tsx') && !installed.includes('typescript'), `no build tools installed: ${installed.join(' ')}`);
  });

  test('npx org2org --help and --version', async () => {
    const help = await npx(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^org2org \d+\.\d+\.\d+ — Okta Org2Org provisioning as code/);
    const version = await npx(['--version']);
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });

  test('npx org2org validate, with the schema it ships', async () => {
    writeFileSync(join(dir, 'base.yaml'), BASE);
    const validate = await npx(['validate', '-c', join(dir, 'base.yaml')]);
    assert.equal(validate.status, 0, validate.stdout + validate.stderr);
    assert.match(validate.stdout, /✓ valid: 1 spoke, 3 assignments/);
  });

  test("npx org2org sim, then plan → apply → plan against it with the folder's config; Ctrl-C stops it", async (t) => {
    const sim = await startNpxSim(['sim', '--json', '--time-scale', '60', '--provisioning-delay', '0'], app, npmEnv);
    t.after(() => sim.stop('SIGKILL'));
    const { env: simEnv, orgs } = sim.info;

    const plan = await npx(['plan', '--detailed-exitcode'], simEnv);
    assert.equal(plan.status, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /emea/);
    const apply = await npx(['apply', '--auto-approve'], simEnv);
    assert.equal(apply.status, 0, apply.stdout + apply.stderr);
    const again = await npx(['plan', '--detailed-exitcode'], simEnv);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /No changes/);

    sim.stop('SIGINT');
    await sim.exited;
    await assert.rejects(fetch(`${orgs.hub!.url}/api/v1/users/me`), 'the simulator stopped listening');
    assert.doesNotMatch(sim.stderr(), /internal error/);
  });

  test('in one line: npx org2org sim --users 5000 --groups 20 -- npx org2org plan (5,020 creates)', async () => {
    mkdirSync(join(dir, 'scale'));
    const config = join(dir, 'scale', 'org2org.sim.yaml');
    const plan = await npx([
      'sim',
      '--users',
      '5000',
      '--groups',
      '20',
      '--config-out',
      config,
      '--',
      'npx',
      '--no-install',
      'org2org',
      'plan',
      '-c',
      config,
      '--format',
      'json',
      '--detailed-exitcode',
    ]);
    assert.equal(plan.status, 2, plan.stderr);
    const { summary } = JSON.parse(plan.stdout) as { summary: { add: number; change: number; remove: number } };
    assert.deepEqual([summary.add, summary.change, summary.remove], [5020, 0, 0]);
    assert.match(plan.stderr, /Wrote .*org2org\.sim\.yaml: 5,000 users and 20 groups in 1 Spoke\./);
  });

  test('npx org2org init in an empty directory: a config that validates against the schema it copies, and the workflows', async () => {
    const repo = join(dir, 'config-repo');
    mkdirSync(repo);
    const init = await run('npx', ['--prefix', app, '--no-install', 'org2org', 'init'], repo, npmEnv);
    assert.equal(init.status, 0, init.stdout + init.stderr);
    for (const file of ['org2org.config.yaml', 'schemas/org2org.schema.json', '.gitignore', '.github/workflows/plan-on-pr.yml']) {
      assert.ok(existsSync(join(repo, file)), `${file} written`);
    }
    assert.match(
      readFileSync(join(repo, 'org2org.config.yaml'), 'utf8'),
      /^# yaml-language-server: \$schema=\.\/schemas\/org2org\.schema\.json$/m,
    );
    const validate = await run('npx', ['--prefix', app, '--no-install', 'org2org', 'validate'], repo, npmEnv);
    assert.equal(validate.status, 0, validate.stdout + validate.stderr);
  });

  test('npx org2org demo converges', async () => {
    const demo = await npx(['demo', '--no-tty', '--latency', '0', '--provisioning-delay', '0']);
    assert.equal(demo.status, 0, demo.stdout + demo.stderr);
    assert.match(demo.stderr, /Done: the live orgs match the config/);
  });
});
