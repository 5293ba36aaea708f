/**
 * Attributes carried to the Hub, end to end against the simulator: the root config with two
 * Spokes gains `department` (a Hub default, from each Spoke user's department) and a Spoke-of-origin
 * marker per Spoke (created in the Hub). The plan lists both orgs' changes in order (the Hub's
 * attribute, then each Spoke app's attribute, then the mapping, before any assignment), apply
 * --wait makes them, and the Hub users have the values; a typo in a source expression is a plan
 * error at its line with a did-you-mean; removing a mapping is refused without its flag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSeed, startSim, type Sim, type SimSeed } from '../../src/sim/index.js';
import { attributesConfig, DEPARTMENTS } from './attributes-config.js';
import { cliEnv, countWrites, runCli } from './cli.js';

async function withSim(run: (sim: Sim, dir: string) => Promise<void>, shape?: (seed: SimSeed) => void): Promise<void> {
  const seed = loadSeed('examples/sim/seed.yaml');
  shape?.(seed);
  for (const org of [seed.orgs.emea!, seed.orgs.apac!]) {
    for (const u of org.users ?? []) if (DEPARTMENTS[u.login]) u.profile = { ...u.profile, department: DEPARTMENTS[u.login] };
  }
  const sim = await startSim(seed, { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-e2e-attrs-'));
  try {
    await run(sim, dir);
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('two Spokes: plan orders both orgs’ changes, apply --wait carries department and the marker to Hub users, plan again is clean', () =>
  withSim(async (sim, dir) => {
    const env = cliEnv(sim);
    const config = attributesConfig(dir);
    sim.resetStats();
    const plan = await runCli(['plan', '-c', config, '--format', 'json'], env);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    // The reads cost their page minimum: per Spoke its user schema, and with an app its mapping
    // list and the mapping; the Hub's user schema once for both Spokes.
    const calls = (org: string, route: string): number => sim.stats(org).byRoute[route] ?? 0;
    for (const [org, mappings] of [
      ['emea', 1],
      ['apac', 0],
    ] as const) {
      assert.equal(calls(org, 'GET /api/v1/meta/schemas/user/default'), 1, org);
      assert.equal(calls(org, 'GET /api/v1/mappings'), mappings, org);
      assert.equal(calls(org, 'GET /api/v1/mappings/{mappingId}'), mappings, org);
    }
    assert.equal(calls('hub', 'GET /api/v1/meta/schemas/user/default'), 1);
    const json = JSON.parse(plan.stdout) as {
      spokes: { name: string; changes: { address: string; dependsOn: string[]; hubEffects?: string[] }[] }[];
    };
    const emea = json.spokes.find((s) => s.name === 'emea')!.changes.map((c) => c.address);
    const apac = json.spokes.find((s) => s.name === 'apac')!.changes.map((c) => c.address);
    // The Hub's new attribute is carried by the first Spoke; department is one of Okta's base attributes.
    assert.ok(emea.includes('hub.userAttribute["spokeOrigin"]'), emea.join('\n'));
    assert.ok(
      !emea.includes('hub.userAttribute["department"]') && !apac.some((a) => a.startsWith('hub.userAttribute')),
      'department is in every Hub; made once',
    );
    for (const [name, list] of [
      ['emea', emea],
      ['apac', apac],
    ] as const) {
      const at = (a: string): number => list.indexOf(a);
      for (const attr of ['department', 'spokeOrigin']) {
        const app = at(`spoke.${name}.appAttribute["${attr}"]`);
        const mapping = at(`spoke.${name}.attribute["${attr}"]`);
        assert.ok(app >= 0 && mapping > app, `${name}: the app's ${attr} before its mapping`);
        const firstAssignment = list.findIndex((a) => a.includes('.assignment.'));
        assert.ok(firstAssignment < 0 || mapping < firstAssignment, `${name}: mappings before assignments`);
      }
      const marker = json.spokes.find((s) => s.name === name)!.changes.find((c) => c.address === `spoke.${name}.attribute["spokeOrigin"]`)!;
      assert.ok(marker.dependsOn.includes('hub.userAttribute["spokeOrigin"]'), `${name}'s marker mapping waits for the Hub's attribute`);
      assert.ok(marker.dependsOn.includes(`spoke.${name}.appAttribute["spokeOrigin"]`));
    }
    const text = await runCli(['plan', '-c', config], env);
    assert.match(text.stdout, /\+ hub\.userAttribute\["spokeOrigin"\]/);
    assert.match(text.stdout, /only Hub users created from now on get spokeOrigin \(DONT_PUSH\)/);

    // Through a saved plan: the Hub's attribute is read back under the Spoke that carries it.
    const saved = join(dir, 'plan.json');
    const out = await runCli(['plan', '-c', config, '--out', saved], env);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const shown = await runCli(['show', saved, '--format', 'markdown'], env);
    assert.equal(shown.code, 0, shown.stdout + shown.stderr);
    assert.match(shown.stdout, /Hub user attributes/);
    const apply = await runCli(['apply', saved, '-c', config, '--wait'], env);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    // --wait sampled the Hub users this apply created: alice and chloe (emea), kenji and mei (apac).
    assert.match(apply.stdout + apply.stderr, /Hub: 4 of 4 users, (\d+) of \1 pushed groups and 4 of 4 carried attributes as expected/);
    const hub = sim.org('hub');
    for (const [login, department] of Object.entries(DEPARTMENTS)) {
      const user = hub.findUser(login);
      assert.ok(user, `${login} in the Hub`);
      if (login === 'bob@acme.com') continue; // provisioned before the mapping: below
      assert.equal(user.profile.department, department, `${login}: department`);
      assert.equal(user.profile.spokeOrigin, login.startsWith('kenji') || login.startsWith('mei') ? 'apac' : 'emea', `${login}: marker`);
    }
    // bob was in the Hub before the mapping existed: as the plan said, he gets department (PUSH)
    // at his next profile push, and never the DONT_PUSH marker.
    assert.equal(hub.findUser('bob@acme.com')!.profile.department, undefined);
    const bob = sim.org('emea').findUser('bob@acme.com')!;
    const res = await fetch(`${sim.orgs.emea!.url}/api/v1/users/${bob.id}`, {
      method: 'POST',
      headers: {
        authorization: `SSWS ${sim.orgs.emea!.tokens.OKTA_EMEA_TOKEN}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ profile: { title: 'Counsel' } }),
    });
    assert.equal(res.status, 200);
    assert.equal(hub.findUser('bob@acme.com')!.profile.department, 'Legal');
    assert.equal(hub.findUser('bob@acme.com')!.profile.spokeOrigin, undefined);
    const again = await runCli(['plan', '-c', config, '--detailed-exitcode'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);

    // Adoption: export writes what emea carries (and leaves the carried values out of the
    // assignments' profiles: the mapping fills them), and its first plan is "No changes".
    const exported = await runCli(['export', '--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /attributes:\n\s+mode: authoritative\n\s+carry:\n\s+- name: department\n\s+source: user\.department\n/);
    assert.match(exported.stdout, /- name: spokeOrigin\n\s+source: '"emea"'\n\s+push: DONT_PUSH\n/);
    assert.doesNotMatch(exported.stdout, /profile:\s*\{?\s*department/);
    const exportedFile = join(dir, 'exported.yaml');
    writeFileSync(exportedFile, exported.stdout);
    const adopted = await runCli(['plan', '-c', exportedFile, '--detailed-exitcode'], env);
    assert.equal(adopted.code, 0, adopted.stdout + adopted.stderr);
    assert.match(adopted.stdout, /No changes/);
  }));

test('a typo in a source expression is a plan error at its line, with did-you-mean; nothing is written', () =>
  withSim(async (sim, dir) => {
    const env = cliEnv(sim);
    const config = attributesConfig(dir, 'user.departmnet', 'typo.yaml');
    const line =
      readFileSync(config, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('user.departmnet')) + 1;
    const writes = countWrites(sim);
    const plan = await runCli(['plan', '-c', config], env);
    assert.equal(plan.code, 1, plan.stdout + plan.stderr);
    assert.match(
      plan.stdout + plan.stderr,
      new RegExp(`typo\\.yaml:${line}:\\d+.*reads user\\.departmnet.*did you mean user\\.department\\?`),
    );
    assert.equal(countWrites(sim), writes);
  }));

test('authoritative: a mapping into another custom attribute is removed only with --allow-remove-attribute-mappings; the attribute stays', () =>
  withSim(
    async (sim, dir) => {
      const env = cliEnv(sim);
      const config = attributesConfig(dir, 'user.department', 'authoritative.yaml', 'authoritative');
      const plan = await runCli(['plan', '-c', config, '--spoke', 'emea', '--detailed-exitcode'], env);
      assert.equal(plan.code, 1, 'a plan apply would refuse');
      assert.match(plan.stdout, /- attribute\["costCenter"\]/);
      assert.match(plan.stdout, /the Hub stops getting costCenter from emea/);
      assert.match(plan.stdout, /--allow-remove-attribute-mappings/);
      const refused = await runCli(['apply', '-c', config, '--spoke', 'emea', '--auto-approve'], env);
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      const emea = sim.org('emea');
      const app = emea.apps.values().find((a) => a.label === 'Acme Hub')!;
      const mapping = () => emea.mappings.values().find((m) => m.target.id === app.id)!;
      assert.ok(mapping().properties.costCenter, 'refused: nothing removed');
      const allowed = await runCli(['apply', '-c', config, '--spoke', 'emea', '--auto-approve', '--allow-remove-attribute-mappings'], env);
      assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
      assert.equal(mapping().properties.costCenter, undefined, 'the mapping property is gone');
      assert.ok(app.userSchemaCustom.costCenter, 'the attribute itself stays');
      assert.equal(mapping().properties.department?.expression, 'user.department');
    },
    (seed) => {
      const app = seed.orgs.emea!.apps![0]!;
      app.attributes = [{ name: 'costCenter', expression: 'user.costCenter', pushStatus: 'PUSH' }];
    },
  ));

test('check reports a mapping whose attribute the Hub lacks; carrying it with create: true fixes it', () =>
  withSim(
    async (sim, dir) => {
      const env = cliEnv(sim);
      const check = await runCli(['check'], env);
      assert.equal(check.code, 1, check.stdout + check.stderr);
      assert.match(
        check.stdout + check.stderr,
        /mapping fills badge \(from user\.employeeNumber\), which Org2Org carries to the Hub, but the Hub's user profile has no badge/,
      );
      const config = attributesConfig(dir, 'user.department', 'badge.yaml');
      writeFileSync(
        config,
        readFileSync(config, 'utf8').replace(
          '- { name: spokeOrigin, source: \'"emea"\', push: DONT_PUSH, create: true }',
          '- { name: spokeOrigin, source: \'"emea"\', push: DONT_PUSH, create: true }\n        - { name: badge, source: user.employeeNumber, create: true }',
        ),
      );
      const apply = await runCli(['apply', '-c', config, '--auto-approve'], env);
      assert.equal(apply.code, 0, apply.stdout + apply.stderr);
      assert.ok(sim.org('hub').userSchemaCustom.badge, "the Hub's user profile has badge now");
      const again = await runCli(['check', '-c', config], env);
      assert.doesNotMatch(again.stdout + again.stderr, /badge/);
    },
    (seed) => {
      const app = seed.orgs.emea!.apps![0]!;
      app.attributes = [{ name: 'badge', expression: 'user.employeeNumber', pushStatus: 'PUSH' }];
    },
  ));
