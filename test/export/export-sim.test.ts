/**
 * `org2org export` against the simulator over HTTP: a hand-built setup (two Spokes, 2,000
 * assignments of USER and GROUP scope, 50 push mappings) comes out as a config that describes
 * exactly what is live, passes the schema, costs a handful of list pages, never leaks a secret,
 * and refuses to overwrite a file without --force.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSim, type Sim, type SimSeed } from '../../src/sim/index.js';
import { runExport } from '../../src/cli/commands/export.js';
import { ConfigError, Org2OrgError, UsageError } from '../../src/errors.js';
import { adoptionSeed, ageLegacyHubGroups, secretValues, SHAPES } from './setup.js';
import { schemaErrors } from './schema.js';

interface ExportedSpoke {
  name: string;
  url: string;
  auth: { token: string };
  connection: { authScheme: string; token: string };
  assignments: {
    mode: string;
    users: { login: string; initialStatus: string; securityQuestion?: string; securityAnswer?: string }[];
    groups: { name: string; priority?: number }[];
  };
  pushGroups: { mode: string; groups: { name: string; targetName?: string; link?: boolean; status?: string }[] };
}

let sim: Sim;
let seed: SimSeed;
let dir: string;
const NOW = () => new Date('2026-06-01T08:00:00.000Z');

before(async () => {
  seed = adoptionSeed();
  sim = await startSim(seed, { timeScale: 60 });
  assert.equal(ageLegacyHubGroups(sim), 5);
  dir = await mkdtemp(join(tmpdir(), 'org2org-export-test-'));
});

after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function exportArgs(...extra: string[]): string[] {
  return ['--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`, '--spoke', `apac=${sim.orgs.apac!.url}`, ...extra];
}

async function exportToText(
  env: Record<string, string | undefined> = sim.env,
  ...extra: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runExport(exportArgs(...extra), { env, now: NOW, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

test('exports both Spokes completely: USER-scope assignments, group assignments, push mappings with link', async () => {
  sim.resetStats();
  const { code, stdout, stderr } = await exportToText();
  assert.equal(code, 0);
  assert.match(stderr, /read OKTA_EMEA_TOKEN for spoke emea/);
  assert.match(stderr, /read OKTA_APAC_TOKEN for spoke apac/);
  assert.match(stderr, /read OKTA_HUB_READ_TOKEN for the Hub/);
  assert.match(stderr, /read emea app users: 1,100 \(/);
  for (const secret of secretValues(sim, seed)) {
    assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'a secret value reached the output');
  }

  const config = parse(stdout) as { hub: { url: string; auth: { token: string } }; spokes: ExportedSpoke[] };
  assert.deepEqual(schemaErrors(config), []);
  assert.equal(config.hub.auth.token, '${OKTA_HUB_READ_TOKEN}');
  assert.deepEqual(
    config.spokes.map((s) => s.name),
    ['apac', 'emea'],
  );

  let assignments = 0;
  for (const shape of SHAPES) {
    const s = config.spokes.find((x) => x.name === shape.name)!;
    assert.equal(s.auth.token, `\${OKTA_${shape.name.toUpperCase()}_TOKEN}`);
    assert.deepEqual(s.connection, { authScheme: 'TOKEN', token: '${OKTA_HUB_PROVISIONING_TOKEN}' });
    assert.equal(s.assignments.mode, 'authoritative');
    assert.equal(s.pushGroups.mode, 'authoritative');
    // Only direct assignees; the 300 users assigned through groups are left to their groups.
    const seeded = seed.orgs[shape.name]!.apps![0]!.users!;
    assert.equal(s.assignments.users.length, shape.direct);
    const byLogin = new Map(s.assignments.users.map((u) => [u.login, u]));
    for (const u of seeded) {
      const got = byLogin.get(u.login);
      assert.ok(got, `${u.login} missing`);
      assert.equal(got.initialStatus, u.initialStatus);
      assert.equal(got.securityQuestion, u.securityQuestion);
      assert.equal(got.securityAnswer, undefined);
    }
    const logins = s.assignments.users.map((u) => u.login);
    assert.deepEqual(logins, [...logins].sort());
    assert.deepEqual(
      s.assignments.groups,
      Array.from({ length: shape.assignedGroups }, (_, g) => ({ name: `${shape.name} staff ${g + 1}`, priority: g })),
    );
    assignments += s.assignments.users.length + shape.assignedGroups * 100;

    assert.equal(s.pushGroups.groups.length, shape.pushed);
    const linked = s.pushGroups.groups.filter((g) => g.link === true);
    assert.deepEqual(
      linked.map((g) => g.targetName),
      Array.from({ length: shape.linked }, (_, i) => `Legacy ${shape.name} ${i + 1}`),
    );
    // A mapping that created its own Hub group is not a link, and keeps its source's name.
    const created = s.pushGroups.groups.filter((g) => g.link !== true);
    assert.ok(created.every((g) => g.targetName === undefined));
    assert.equal(s.pushGroups.groups.filter((g) => g.status === 'INACTIVE').length, Math.floor(shape.pushed / 10));
  }
  assert.equal(assignments, 2_000);
  assert.equal(
    config.spokes.reduce((n, s) => n + s.pushGroups.groups.length, 0),
    50,
  );

  // List pages, not one call per assignment: apps, connection, features, schema, app users
  // (1,100 at 500 a page), app groups, push mappings, groups by id (batched, 50 a search: the 3
  // app groups, 30 push sources and the 30 Spoke groups their targets name); and export's own
  // two: the apps again (to pick the label) and the mappings again (for their `created`); and the
  // attributes the Spoke carries: its profile mapping list (narrowed to the app) and that mapping.
  const emea = sim.stats('emea');
  assert.equal(emea.byRoute['GET /api/v1/apps/{appId}/users'], 3);
  assert.equal(emea.byRoute['GET /api/v1/groups'], 2);
  assert.equal(emea.byRoute['GET /api/v1/mappings'], 1);
  assert.equal(emea.byRoute['GET /api/v1/mappings/{mappingId}'], 1);
  assert.ok(emea.total <= 15, `emea took ${emea.total} requests: ${JSON.stringify(emea.byRoute)}`);
  assert.ok(sim.stats('hub').total <= 2, `hub took ${sim.stats('hub').total} requests`);
});

test('two exports of the same orgs differ only in the timestamp line', async () => {
  const a = (await exportToText()).stdout;
  let b = '';
  await runExport(exportArgs(), {
    env: sim.env,
    now: () => new Date('2027-01-01T00:00:00.000Z'),
    stdout: (t) => (b += t),
    stderr: () => {},
  });
  const bLines = b.split('\n');
  assert.deepEqual(
    a.split('\n').filter((line, i) => line !== bLines[i]),
    ['# Exported at: 2026-06-01T08:00:00.000Z'],
  );
});

test('without a Hub read token: no hub auth, targets named from the Spoke, links unknown, said in a note', async () => {
  const env = { ...sim.env, OKTA_HUB_READ_TOKEN: undefined };
  const { code, stdout, stderr } = await exportToText(env);
  assert.equal(code, 0);
  assert.match(stderr, /OKTA_HUB_READ_TOKEN not set/);
  const config = parse(stdout) as { hub: Record<string, unknown>; spokes: ExportedSpoke[] };
  assert.equal(config.hub.auth, undefined);
  assert.ok(config.spokes.every((s) => s.pushGroups.groups.every((g) => g.link === undefined)));
  // The targets are named by the Spoke's own groups (a mapping's targetGroupId is one), Hub or not.
  const emea = config.spokes.find((s) => s.name === 'emea')!;
  assert.deepEqual(
    emea.pushGroups.groups.filter((g) => g.targetName !== undefined).map((g) => g.targetName),
    Array.from({ length: 5 }, (_, i) => `Legacy emea ${i + 1}`),
  );
  assert.match(stdout, /# note: Hub not read/);
  assert.deepEqual(schemaErrors(config), []);
});

test('a missing Spoke token is a usage error naming the variable; nothing is read', async () => {
  sim.resetStats();
  const env = { ...sim.env, OKTA_APAC_TOKEN: undefined };
  await assert.rejects(exportToText(env), (e: unknown) => e instanceof UsageError && /set OKTA_APAC_TOKEN/.test(e.message));
  assert.equal(sim.stats('emea').total + sim.stats('apac').total, 0);
});

test('-o writes the file; an existing file is refused without --force and kept intact', async () => {
  const file = join(dir, 'org2org.config.yaml');
  await writeFile(file, 'precious: true\n');
  sim.resetStats();
  await assert.rejects(
    exportToText(sim.env, '-o', file),
    (e: unknown) => e instanceof UsageError && /exists; pass --force/.test(e.message),
  );
  assert.equal(await readFile(file, 'utf8'), 'precious: true\n');
  assert.equal(sim.stats('emea').total, 0, 'refused before reading anything');

  const { code, stdout, stderr } = await exportToText(sim.env, '-o', file, '--force');
  assert.equal(code, 0);
  assert.equal(stdout, '');
  assert.match(stderr, /wrote .*org2org\.config\.yaml: 2 spokes, 1,400 user assignments, 50 push mappings/);
  const written = await readFile(file, 'utf8');
  // No schema resolves beside the file (a config repo, not this one): the header says how to get it.
  assert.match(written, /^# For completion in editors, `org2org init` in this directory copies the schema/);
  assert.doesNotMatch(written, /\$schema=/);
  assert.deepEqual(schemaErrors(parse(written)), []);
});

test('--label picks the app; an unknown label says which labels exist', async () => {
  await assert.rejects(exportToText(sim.env, '--label', 'Nope'), /no okta_org2org app labelled "Nope" \(found: "Acme Hub"\)/);
  const { code } = await exportToText(sim.env, '--label', 'Acme Hub');
  assert.equal(code, 0);
});

test('an export that fails its own validation is reported as a bug and nothing is written', async () => {
  const file = join(dir, 'never-written.yaml');
  let stdout = '';
  let loaded = 0;
  const failingLoader = async (f: string) => {
    loaded++;
    assert.match(await readFile(f, 'utf8'), /^# Written by `org2org export`/m);
    throw new ConfigError('config is invalid', [
      { file: f, line: 3, col: 1, severity: 'error', pointer: '/hub', message: 'hub: broken on purpose' },
    ]);
  };
  for (const extra of [[], ['-o', file]]) {
    await assert.rejects(
      runExport(exportArgs(...extra), { env: sim.env, stdout: (t) => (stdout += t), stderr: () => {}, loadConfig: failingLoader }),
      (e: unknown) =>
        e instanceof Org2OrgError &&
        /does not pass validation, so nothing was written. This is a bug/.test(e.message) &&
        /hub: broken on purpose/.test(e.message),
    );
  }
  assert.equal(loaded, 2);
  assert.equal(stdout, '');
  await assert.rejects(readFile(file), { code: 'ENOENT' });
});

test('usage errors: a Spoke that is the Hub, a bad name, a second --spoke with the same name', async () => {
  const run = (args: string[]) => runExport(args, { env: sim.env, stdout: () => {}, stderr: () => {} });
  const hub = sim.orgs.hub!.url;
  await assert.rejects(
    run(['--hub-url', hub, '--spoke', `emea=${hub}`]),
    (e: unknown) => e instanceof UsageError && /is the Hub/.test(e.message),
  );
  await assert.rejects(run(['--hub-url', hub, '--spoke', 'Emea_1=https://x.example.com']), /a Spoke name is \[a-z0-9-\]\+/);
  await assert.rejects(run(['--hub-url', hub, '--spoke', 'a=https://x.example.com', '--spoke', 'a=https://y.example.com']), /given twice/);
  await assert.rejects(run(['--hub-url', hub]), /at least one --spoke/);
});
