/**
 * The whole engine on the demo setup (root org2org.config.yaml + examples/sim/seed.yaml):
 * read → plan → stale check → apply → --wait → read → plan again is empty. And a saved plan is
 * stale once a live object it read changes.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { applyPlan } from '../../src/apply/apply-plan.js';
import { checkSafety } from '../../src/apply/safety.js';
import { checkStale } from '../../src/apply/stale.js';
import type { ApplyEvent } from '../../src/apply/types.js';
import { waitForProvisioning } from '../../src/apply/wait.js';
import { loadConfig } from '../../src/config/load.js';
import type { DesiredState } from '../../src/config/types.js';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { readLiveState } from '../../src/state/read-live-state.js';
import { clientFor } from './sim-client.js';
import { addressOf } from '../../src/plan/address.js';

const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const PLAN_OPTIONS = { maxApiCapacity: 0.5, toolVersion: 'test' };

describe('plan → apply → plan on the demo setup', () => {
  let sim: Sim;
  let desired: DesiredState;
  let clients: { hub: ReturnType<typeof clientFor>; spokes: Record<string, ReturnType<typeof clientFor>> };
  before(async () => {
    sim = await startSim(root('examples/sim/seed.yaml'));
    desired = (await loadConfig(root('org2org.config.yaml'), { env: sim.env, requireSecrets: true })).desired;
    clients = {
      hub: clientFor('hub', sim.env.OKTA_HUB_URL!, sim.env.OKTA_HUB_ADMIN_TOKEN!),
      spokes: {
        emea: clientFor('emea', sim.env.OKTA_EMEA_URL!, sim.env.OKTA_EMEA_TOKEN!),
        apac: clientFor('apac', sim.env.OKTA_APAC_URL!, sim.env.OKTA_APAC_TOKEN!),
      },
    };
  });
  after(async () => {
    await sim.close();
  });

  it('a saved plan is fresh until a live object it read changes', async () => {
    const read = await readLiveState(desired, clients);
    const plan = toPlanFile(createPlan(desired, read, PLAN_OPTIONS), read);
    assert.ok(Object.keys(plan.fingerprints).length > 0);
    assert.deepEqual(checkStale(plan, desired, await readLiveState(desired, clients)), []);

    // Someone changes bob's assignment behind the plan's back.
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    const bob = app.users.get(emea.findUser('bob@acme.com')!.id)!;
    const saved = bob.profile.initialStatus;
    bob.profile.initialStatus = 'pending_with_pass';
    try {
      assert.deepEqual(checkStale(plan, desired, await readLiveState(desired, clients)), [
        'spoke.emea.assignment.user["bob@acme.com"] changed since the plan',
      ]);
      assert.match(
        checkStale(plan, { ...desired, digest: '0'.repeat(64) }, await readLiveState(desired, clients))[0]!,
        /config file .* changed/,
      );
    } finally {
      bob.profile.initialStatus = saved;
    }
  });

  it('applies the plan, verifies arrivals in the Hub, and the next plan is empty', async () => {
    const plan = createPlan(desired, await readLiveState(desired, clients), PLAN_OPTIONS);
    assert.equal(plan.errored, false, JSON.stringify(plan.spokes.flatMap((s) => s.diagnostics)));
    assert.ok(!plan.empty);
    assert.deepEqual(checkSafety(plan, {}), []);

    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, clients, { env: sim.env, onEvent: (e) => events.push(e) });
    assert.deepEqual(
      result.results.filter((r) => r.outcome !== 'applied').map((r) => `${r.address}: ${r.outcome} ${r.message ?? ''}`),
      [],
    );
    assert.equal(result.failed, 0);
    assert.ok(result.appIds?.apac, 'the apac app was created');

    const verification = await waitForProvisioning(plan, result, clients, { timeoutMs: 5_000, pollMs: 20 });
    assert.deepEqual(
      verification.filter((v) => !v.ok),
      [],
    );
    // bob is in the Hub already and only his initialStatus differs: no effect in Okta, so not planned but noted.
    assert.equal(
      plan.spokes.flatMap((s) => s.changes).some((c) => c.name === 'bob@acme.com'),
      false,
    );
    assert.match(
      plan.spokes.find((s) => s.name === 'emea')!.notes![0]!,
      /1 provisioned user differs only in initialStatus \(bob@acme\.com\)/,
    );
    assert.ok(verification.some((v) => v.kind === 'user' && v.name === 'kenji@acme.com'));
    assert.ok(verification.some((v) => v.kind === 'group' && v.name === 'Ops'));

    const again = createPlan(desired, await readLiveState(desired, clients), PLAN_OPTIONS);
    assert.deepEqual(
      again.spokes.flatMap((s) => s.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${addressOf(c)}`)),
      [],
    );
    assert.equal(again.empty, true);

    const secrets = [sim.env.OKTA_HUB_PROVISIONING_TOKEN!, sim.env.ALICE_ANSWER!];
    const seen = JSON.stringify({ events, result, verification, plan });
    for (const secret of secrets) assert.ok(!seen.includes(secret), 'no secret in events, result, verification or plan');
  });
});

describe('re-running apply converges after a connection reset on an assignment', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim(root('examples/sim/seed.yaml'), {
      faults: [{ kind: 'reset', method: 'POST', path: '/api/v1/apps/{appId}/users', times: 1 }],
    });
  });
  after(async () => {
    await sim.close();
  });

  it('fails that one change without resending it; the next plan has just it; the next apply finishes', async () => {
    const desired = (await loadConfig(root('org2org.config.yaml'), { env: sim.env, requireSecrets: true })).desired;
    const clients = {
      hub: clientFor('hub', sim.env.OKTA_HUB_URL!, sim.env.OKTA_HUB_ADMIN_TOKEN!),
      spokes: {
        emea: clientFor('emea', sim.env.OKTA_EMEA_URL!, sim.env.OKTA_EMEA_TOKEN!),
        apac: clientFor('apac', sim.env.OKTA_APAC_URL!, sim.env.OKTA_APAC_TOKEN!),
      },
    };
    const first = createPlan(desired, await readLiveState(desired, clients), PLAN_OPTIONS);
    const result = await applyPlan(first, clients, { env: sim.env });
    const failed = result.results.filter((r) => r.outcome === 'failed');
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.match(failed[0]!.address, /assignment\.user/);
    const posts = (): number =>
      ['emea', 'apac'].reduce((n, org) => n + (sim.stats(org).byRoute['POST /api/v1/apps/{appId}/users'] ?? 0), 0);
    const assignsPlanned = first.spokes.flatMap((s) => s.changes).filter((c) => c.op.type === 'assignment.user.assign').length;
    assert.equal(posts(), assignsPlanned, 'the reset POST was not resent blindly');

    const second = createPlan(desired, await readLiveState(desired, clients), PLAN_OPTIONS);
    const pending = second.spokes.flatMap((s) => s.changes.filter((c) => c.action !== 'noop'));
    assert.ok(
      pending.some((c) => addressOf(c) === failed[0]!.address),
      'the next plan shows the change as not done',
    );
    const retry = await applyPlan(second, clients, { env: sim.env });
    assert.equal(retry.failed, 0, JSON.stringify(retry.results));

    const third = createPlan(desired, await readLiveState(desired, clients), PLAN_OPTIONS);
    assert.equal(third.empty, true, JSON.stringify(third.spokes.flatMap((s) => s.changes.map((c) => addressOf(c)))));
    // Nothing duplicated: one app per spoke, each user assigned once.
    for (const org of ['emea', 'apac']) {
      const apps = sim.org(org).apps.values();
      assert.equal(apps.length, 1);
      const logins = apps[0]!.users.values().map((u) => u.userName.toLowerCase());
      assert.equal(new Set(logins).size, logins.length);
    }
  });
});
