import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type Sim } from '../../src/sim/index.js';
import { Secret } from '../../src/credentials.js';
import type { DesiredSpoke, DesiredState } from '../../src/config/types.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { UsageError } from '../../src/errors.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';

const CANARY_ANSWER = 'canary-answer-7f3e';

/** emea as the example seed has it: a config that matches the live org exactly. */
function matchingEmea(sim: Sim): DesiredSpoke {
  const spoke = desiredSpoke('emea', sim.orgs.emea!.url, { users: [{ login: 'bob@acme.com', initialStatus: 'active_with_pass' }] });
  spoke.auth = { kind: 'token', token: new Secret('OKTA_EMEA_TOKEN', sim.env.OKTA_EMEA_TOKEN!) };
  spoke.connection = {
    authScheme: 'TOKEN',
    token: new Secret('OKTA_HUB_PROVISIONING_TOKEN', sim.env.OKTA_HUB_PROVISIONING_TOKEN!),
    enabled: true,
  };
  spoke.provisioning = {
    toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false },
    toOkta: { profileSourcing: false },
  };
  return spoke;
}

function withHub(sim: Sim, spokes: DesiredSpoke[]): DesiredState {
  const desired = desiredState(sim.orgs.hub!.url, spokes);
  desired.hub.auth = { kind: 'token', token: new Secret('OKTA_HUB_READ_TOKEN', sim.env.OKTA_HUB_READ_TOKEN!) };
  return desired;
}

function capture(): { out: string; err: string; io: { stdout: (t: string) => void; stderr: (t: string) => void } } {
  const c = { out: '', err: '', io: { stdout: (t: string) => void (c.out += t), stderr: (t: string) => void (c.err += t) } };
  return c;
}

test('a config that matches the live orgs plans "No changes": exit 0 under --detailed-exitcode', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'org2org-plan-'));
  try {
    const desired = withHub(sim, [matchingEmea(sim)]);
    const c = capture();
    const code = await runPlan(['--detailed-exitcode', '--no-color', '--out', join(dir, 'plan.json')], {
      ...c.io,
      env: {},
      loadConfig: async () => ({ desired, warnings: [] }),
    });
    assert.equal(code, 0, c.out + c.err);
    assert.match(c.out, /No changes/);
    assert.match(c.err, /read emea app users: 1/);
    const saved = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as {
      empty: boolean;
      fingerprints: Record<string, string>;
      createdAt: string;
    };
    assert.equal(saved.empty, true);
    assert.ok(saved.fingerprints['spoke.emea.assignment.user["bob@acme.com"]']);
    assert.ok(!Number.isNaN(Date.parse(saved.createdAt)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('drift: exit 2 with --detailed-exitcode, 0 without; --out and the step summary hold no secret', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'org2org-plan-'));
  try {
    const emea = matchingEmea(sim);
    emea.provisioning.toApp = { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false };
    emea.assignments.users.push({
      login: 'alice@acme.com',
      loginKey: 'alice@acme.com',
      initialStatus: 'active_with_pass',
      securityQuestion: 'First pet?',
      securityAnswer: new Secret('ALICE_ANSWER', CANARY_ANSWER),
      profile: {},
    });
    const desired = withHub(sim, [emea]);
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
    const load = async (): Promise<{ desired: DesiredState; warnings: [] }> => ({ desired, warnings: [] });

    const c = capture();
    const code = await runPlan(['--detailed-exitcode', '--no-color', '--out', join(dir, 'plan.json')], { ...c.io, env, loadConfig: load });
    assert.equal(code, 2, c.out + c.err);
    assert.match(c.out, /alice@acme\.com/);
    assert.match(c.out, /Plan: 1 to add, 1 to change, 0 to remove/);
    const planFile = readFileSync(join(dir, 'plan.json'), 'utf8');
    const summaryText = readFileSync(summary, 'utf8');
    // The summary holds the whole text plan once, in a fence.
    assert.match(summaryText, /^```text\nSpoke emea /m);
    assert.equal(summaryText.match(/Plan: 1 to add, 1 to change/g)?.length, 1);
    for (const text of [c.out, c.err, planFile, summaryText]) {
      assert.ok(!text.includes(CANARY_ANSWER), 'the security answer leaked');
      for (const token of [sim.env.OKTA_EMEA_TOKEN!, sim.env.OKTA_HUB_PROVISIONING_TOKEN!, sim.env.OKTA_HUB_READ_TOKEN!])
        assert.ok(!text.includes(token), 'a token leaked');
    }

    const plain = capture();
    assert.equal(await runPlan(['--format', 'json'], { ...plain.io, env: {}, loadConfig: load }), 0);
    const json = JSON.parse(plain.out) as { empty: boolean; summary: { add: number } };
    assert.equal(json.empty, false);
    assert.equal(json.summary.add, 1);

    const md = capture();
    assert.equal(await runPlan(['--format', 'markdown'], { ...md.io, env: {}, loadConfig: load }), 0);
    assert.match(md.out, /<!-- org2org:spoke=emea -->/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});

test('--spoke: plans only the named Spoke; an unknown name is a usage error listing the Spokes', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  try {
    const apac = desiredSpoke('apac', sim.orgs.apac!.url, { users: ['kenji@acme.com'] });
    apac.auth = { kind: 'token', token: new Secret('OKTA_APAC_TOKEN', sim.env.OKTA_APAC_TOKEN!) };
    const desired = withHub(sim, [matchingEmea(sim), apac]);
    const load = async (): Promise<{ desired: DesiredState; warnings: [] }> => ({ desired, warnings: [] });
    await assert.rejects(runPlan(['--spoke', 'nope'], { ...capture().io, env: {}, loadConfig: load }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /no spoke named "nope".*spokes: emea, apac/);
      return true;
    });
    sim.resetStats();
    const c = capture();
    assert.equal(await runPlan(['--spoke', 'emea', '--detailed-exitcode'], { ...c.io, env: {}, loadConfig: load }), 0, c.out + c.err);
    assert.equal(sim.stats('apac').total, 0, 'apac was not read');
    assert.match(c.out, /No changes/);
    await assert.rejects(runPlan(['--format', 'yaml'], { ...capture().io, env: {}, loadConfig: load }), UsageError);
  } finally {
    await sim.close();
  }
});

test('a plan with errors (a login that is not in the Spoke) exits 1 and says why', async () => {
  const sim = await startSim('examples/sim/seed.yaml');
  try {
    const emea = matchingEmea(sim);
    emea.assignments.users.push({
      login: 'nobody@acme.com',
      loginKey: 'nobody@acme.com',
      initialStatus: 'active_without_pass',
      profile: {},
    });
    const desired = withHub(sim, [emea]);
    const c = capture();
    const code = await runPlan(['--detailed-exitcode', '--no-color'], {
      ...c.io,
      env: {},
      loadConfig: async () => ({ desired, warnings: [] }),
    });
    assert.equal(code, 1);
    assert.match(c.out, /nobody@acme\.com: no such user in the emea Spoke org/);
    assert.match(c.err, /error: the plan has 1 error \(listed above\)/);
  } finally {
    await sim.close();
  }
});
