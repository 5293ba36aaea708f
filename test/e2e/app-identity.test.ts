/**
 * Which Org2Org app is the config's, end to end: labels match in any case; a label that matches
 * nothing while another Org2Org app points at the same Hub stops plan and check ("did you mean");
 * `app.create: true` makes a second app on purpose; two apps with the label (two applies raced
 * through the create) make plan exit 1 listing both ids, so a drift check goes red.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSim, type Sim } from '../../src/sim/index.js';
import { cliEnv, countWrites, runCli } from './cli.js';

const ROOT_CONFIG = readFileSync(fileURLToPath(new URL('../../org2org.config.yaml', import.meta.url)), 'utf8');

/** The root config with emea's label replaced (and `create: true` when asked), in a temp file. */
function configWithEmeaLabel(dir: string, label: string, create = false): string {
  const lines = ROOT_CONFIG.split('\n');
  const at = lines.findIndex((l, i) => i > lines.findIndex((x) => x.includes('name: emea')) && /^\s+label: Acme Hub$/.test(l));
  const indent = /^\s+/.exec(lines[at]!)![0];
  lines.splice(at, 1, `${indent}label: ${label}`, ...(create ? [`${indent}create: true`] : []));
  const file = join(dir, `config-${label.replace(/\W+/g, '-')}${create ? '-create' : ''}.yaml`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

async function withSim(run: (sim: Sim, dir: string) => Promise<void>): Promise<void> {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-e2e-app-'));
  try {
    await run(sim, dir);
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a label that differs only in case is the same app: nothing created, nothing renamed', () =>
  withSim(async (sim, dir) => {
    const r = await runCli(['plan', '-c', configWithEmeaLabel(dir, 'acme HUB')], cliEnv(sim));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const emea = r.stdout.slice(r.stdout.indexOf('Spoke emea'), r.stdout.indexOf('Spoke apac'));
    assert.doesNotMatch(emea, /[+~] app/);
    assert.match(emea, /\+ assignment\.user\["alice@acme\.com"\]/);
  }));

test('a near-miss label: plan and check fail with "did you mean", nothing is written; app.create: true plans the second app', () =>
  withSim(async (sim, dir) => {
    const env = cliEnv(sim);
    const config = configWithEmeaLabel(dir, 'Acme Hubb');
    const plan = await runCli(['plan', '-c', config], env);
    assert.equal(plan.code, 1, plan.stdout + plan.stderr);
    assert.match(
      plan.stdout,
      /no Org2Org app in emea is labelled "Acme Hubb", but "Acme Hub" \(0oa\w+\) already points at the same Hub: did you mean that label\?/,
    );
    assert.doesNotMatch(plan.stdout.slice(0, plan.stdout.indexOf('Spoke apac')), /\+ app/);
    const check = await runCli(['check', '-c', config], env);
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stderr, /check failed: emea: .*did you mean that label\?/);
    const writes = countWrites(sim);
    const apply = await runCli(['apply', '-c', config, '--auto-approve'], env);
    assert.equal(apply.code, 1);
    assert.equal(countWrites(sim), writes, 'nothing written');

    const deliberate = await runCli(['plan', '-c', configWithEmeaLabel(dir, 'Acme Hubb', true)], env);
    assert.equal(deliberate.code, 0, deliberate.stdout + deliberate.stderr);
    assert.match(deliberate.stdout, /Spoke emea[\s\S]*\+ app \(Acme Hubb\)/);
  }));

test('two Org2Org apps with the label (two applies raced): plan exits 1 listing both ids; apply re-reads before creating', () =>
  withSim(async (sim) => {
    const env = cliEnv(sim);
    // Two applies at once against apac, which has no app yet: each re-reads the apps right
    // before its create, so at most the window between that read and the POST lets both through.
    const [a, b] = await Promise.all([
      runCli(['apply', '--auto-approve', '--spoke', 'apac'], env),
      runCli(['apply', '--auto-approve', '--spoke', 'apac'], env),
    ]);
    const apps = [...sim.org('apac').apps.values()].filter((app) => app.label === 'Acme Hub');
    assert.ok(apps.length >= 1, a.stderr + b.stderr);
    if (apps.length === 1) {
      // The loser saw the winner's app and refused to make another.
      assert.ok([a, b].some((r) => r.code === 0));
    }
    // Whichever way the race went, make sure there are two, as a lost race leaves them.
    if (apps.length === 1) {
      const res = await fetch(`${sim.orgs.apac!.url}/api/v1/apps?activate=true`, {
        method: 'POST',
        headers: { authorization: `SSWS ${sim.env.OKTA_APAC_TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'okta_org2org',
          label: 'acme hub',
          signOnMode: 'SAML_2_0',
          settings: { app: { baseUrl: sim.orgs.hub!.url } },
        }),
      });
      assert.equal(res.status, 200);
    }
    const ids = [...sim.org('apac').apps.values()].filter((app) => app.label.toLowerCase() === 'acme hub').map((app) => app.id);
    assert.equal(ids.length, 2);
    const plan = await runCli(['plan', '--detailed-exitcode'], env);
    assert.equal(plan.code, 1, 'a drift check goes red');
    for (const id of ids) assert.ok(plan.stdout.includes(id), `plan lists ${id}:\n${plan.stdout}`);
    assert.match(plan.stdout, /2 Org2Org apps in apac are labelled "Acme Hub"/);
    // emea is still planned.
    assert.match(plan.stdout, /Spoke emea \(/);
  }));

test('a group name the Spoke lacks is an error that suggests the closest existing name', () =>
  withSim(async (sim, dir) => {
    const file = join(dir, 'typo.yaml');
    const typo = ROOT_CONFIG.replace('        - name: EMEA Sales ', '        - name: EMEA Slaes ');
    assert.notEqual(typo, ROOT_CONFIG, 'the example assigns EMEA Sales');
    writeFileSync(file, typo);
    const r = await runCli(['plan', '-c', file], cliEnv(sim));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /EMEA Slaes: no such group in the emea Spoke org \(did you mean "EMEA Sales"\?\)/);
  }));
