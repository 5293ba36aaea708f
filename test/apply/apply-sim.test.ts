/**
 * applyPlan and waitForProvisioning against the simulator over HTTP: the calls reach a server that
 * keeps Okta's rules, and the Hub ends up with what the plan asked for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyEventOfClientEvent, applyPlan } from '../../src/apply/apply-plan.js';
import { INTERRUPTED_REASON, type ApplyEvent } from '../../src/apply/types.js';
import { waitForProvisioning } from '../../src/apply/wait.js';
import type { InitialStatus } from '../../src/config/types.js';
import type { ClientEvent } from '../../src/okta/types.js';
import type { Change } from '../../src/plan/types.js';
import { startSim, type Sim, type SimSeed } from '../../src/sim/index.js';
import { change, plan } from '../builders/plan.js';
import { clientFor } from './sim-client.js';
import { addressOf } from '../../src/plan/address.js';

const CANARY_PROVISIONING_TOKEN = 'canary-hub-provisioning-token-5d1c';
const CANARY_ANSWER = 'canary-security-answer-0b7e';
const USERS = 40;

function seed(withApp: boolean): SimSeed {
  const logins = Array.from({ length: USERS }, (_, i) => `user${i + 1}@emea.example.com`);
  return {
    orgs: {
      hub: {
        tokens: {
          PROV: { value: CANARY_PROVISIONING_TOKEN, user: 'provisioner@hub.example.com', roles: ['SUPER_ADMIN'] },
          READ: { value: 'fake-hub-read-token-for-tests', user: 'reader@hub.example.com', roles: ['READ_ONLY_ADMIN'] },
        },
      },
      emea: {
        users: logins.map((login) => ({ login })),
        groups: [{ name: 'Engineering', members: logins.slice(0, 5) }],
        tokens: { ADMIN: { value: 'fake-emea-admin-token-for-tests', user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] } },
        ...(withApp
          ? {
              apps: [
                {
                  label: 'Acme Hub',
                  hub: 'hub',
                  connection: { token: 'hub/PROV' },
                  provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: true },
                  users: logins.slice(0, 3).map((login) => ({ login })),
                  pushMappings: [{ source: 'Engineering', target: 'Engineering', status: 'ACTIVE' as const }],
                },
              ],
            }
          : {}),
      },
    },
  };
}

function clientsOf(sim: Sim) {
  return {
    hub: clientFor('hub', sim.orgs.hub!.url, sim.orgs.hub!.tokens.READ!),
    spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!) },
  };
}

/** The changes a plan makes for a Spoke without the app: app, connection, features, users, a pushed group. */
function freshSpokeChanges(sim: Sim): Change[] {
  const emea = sim.org('emea');
  const app = change('emea', 'app', null, 'create', {
    type: 'app.create',
    label: 'Acme Hub',
    signOnMode: 'SAML_2_0',
    baseUrl: sim.orgs.hub!.url,
  });
  const connection = change(
    'emea',
    'connection',
    null,
    'create',
    {
      type: 'connection.set',
      appId: null,
      profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_PROVISIONING_TOKEN' },
      activate: true,
      disables: false,
    },
    { dependsOn: [addressOf(app)] },
  );
  const features = change(
    'emea',
    'features.toApp',
    null,
    'update',
    {
      type: 'features.toApp',
      appId: null,
      capabilities: {
        create: { lifecycleCreate: { status: 'ENABLED' } },
        update: { profile: { status: 'ENABLED' }, lifecycleDeactivate: { status: 'ENABLED' } },
      },
    },
    { dependsOn: [addressOf(connection)] },
  );
  const users = Array.from({ length: USERS }, (_, i) => {
    const login = `user${i + 1}@emea.example.com`;
    const initialStatus: InitialStatus = i === 0 ? 'active_with_pass' : i % 2 === 0 ? 'active_without_pass' : 'pending_without_pass';
    const profile: Record<string, unknown> =
      i === 0 ? { initialStatus, securityQuestion: 'First pet?', securityAnswer: { $env: 'USER1_ANSWER' } } : { initialStatus };
    return change(
      'emea',
      'assignment.user',
      login,
      'create',
      {
        type: 'assignment.user.assign',
        appId: null,
        userId: emea.findUser(login)!.id,
        login,
        profile,
        initialStatus,
      },
      { dependsOn: [addressOf(features)] },
    );
  });
  const push = change(
    'emea',
    'pushMapping',
    'Engineering',
    'create',
    {
      type: 'pushMapping.create',
      appId: null,
      sourceGroupId: emea.findGroupByName('Engineering')!.id,
      targetGroupName: 'Engineering',
      status: 'ACTIVE',
    },
    { dependsOn: [addressOf(features)] },
  );
  return [app, connection, features, ...users, push];
}

describe('applyPlan against the simulator', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim(seed(false), { latencyMs: 2 });
  });
  after(async () => {
    await sim.close();
  });

  it('creates the app, connects it, assigns users concurrently and pushes a group; the Hub shows it all', async () => {
    const clients = clientsOf(sim);
    const events: ApplyEvent[] = [];
    const env = { HUB_PROVISIONING_TOKEN: CANARY_PROVISIONING_TOKEN, USER1_ANSWER: CANARY_ANSWER };
    const p = plan(freshSpokeChanges(sim));
    const result = await applyPlan(p, clients, { env, onEvent: (e) => events.push(e) });

    assert.deepEqual(
      [result.applied, result.failed, result.skipped],
      [USERS + 4, 0, 0],
      JSON.stringify(result.results.filter((r) => r.outcome !== 'applied')),
    );
    const apps = sim.org('emea').apps.values();
    assert.equal(apps.length, 1);
    const app = apps[0]!;
    assert.equal(result.appIds?.emea, app.id);
    assert.equal(app.users.size, USERS);
    assert.equal(app.connection.status, 'ENABLED');
    const stats = sim.stats('emea');
    assert.equal(stats.byRoute['POST /api/v1/apps/{appId}/users'], USERS, 'one POST per assignment, none repeated');
    assert.ok(stats.peakInFlight > 1, `assignments overlap (peak in flight ${stats.peakInFlight})`);
    assert.equal(stats.byRoute['POST /api/v1/apps'], 1);

    const verification = await waitForProvisioning(p, result, clients, { timeoutMs: 5_000, pollMs: 10, onEvent: (e) => events.push(e) });
    const failures = verification.filter((v) => !v.ok);
    assert.deepEqual(failures, []);
    assert.equal(verification.filter((v) => v.kind === 'user').length, USERS);
    assert.match(verification.find((v) => v.name === 'user1@emea.example.com')!.detail, /ACTIVE as asked by active_with_pass/);
    assert.match(verification.find((v) => v.name === 'user2@emea.example.com')!.detail, /STAGED as asked by pending_without_pass/);
    assert.match(verification.find((v) => v.kind === 'group')!.detail, /all 5 expected members/);
    assert.equal(sim.org('hub').findUser('user1@emea.example.com')!.status, 'ACTIVE');
    assert.equal(sim.stats('hub').byRoute['GET /api/v1/users'], 1, 'one batched search for all 40 Hub users');

    const everything = JSON.stringify({ events, result, verification });
    assert.ok(!everything.includes(CANARY_PROVISIONING_TOKEN), 'the provisioning token appears in no event or result');
    assert.ok(!everything.includes(CANARY_ANSWER), 'the security answer appears in no event or result');
  });
});

describe('applyPlan with a failing assignment and an existing push mapping', () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim(seed(true), {
      faults: [{ kind: 'error', status: 500, method: 'POST', path: '/api/v1/apps/{appId}/users', times: 1 }],
    });
  });
  after(async () => {
    await sim.close();
  });

  it('fails only that change, applies the rest, skips its dependents; INACTIVE before DELETE', async () => {
    const clients = clientsOf(sim);
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    const mapping = app.pushMappings.values()[0]!;
    assert.equal(mapping.status, 'ACTIVE');
    const hubGroupsBefore = sim.org('hub').groups.size;

    const assigns = [4, 5, 6, 7, 8, 9].map((n) => {
      const login = `user${n}@emea.example.com`;
      return change('emea', 'assignment.user', login, 'create', {
        type: 'assignment.user.assign',
        appId: app.id,
        userId: emea.findUser(login)!.id,
        login,
        profile: { initialStatus: 'active_with_pass' },
        initialStatus: 'active_with_pass',
      });
    });
    // The first POST fails (fault `times: 1`); with one change in flight, that is the first assignment.
    const dependent = change(
      'emea',
      'assignment.group',
      'Engineering',
      'create',
      {
        type: 'assignment.group.assign',
        appId: app.id,
        groupId: emea.findGroupByName('Engineering')!.id,
        profile: {},
      },
      { dependsOn: [addressOf(assigns[0]!)] },
    );
    const removal = change('emea', 'pushMapping', 'Engineering', 'delete', {
      type: 'pushMapping.delete',
      appId: app.id,
      mappingId: mapping.id,
      sourceGroupId: mapping.sourceGroupId,
      deleteTargetGroup: false,
      currentStatus: 'ACTIVE',
    });
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan([...assigns, dependent, removal]), clients, { concurrency: 1, onEvent: (e) => events.push(e) });

    const outcome = new Map(result.results.map((r) => [r.address, r]));
    assert.equal(outcome.get(addressOf(assigns[0]!))!.outcome, 'failed');
    assert.match(outcome.get(addressOf(assigns[0]!))!.message!, /500|E0000009|Internal/i);
    assert.equal(outcome.get(addressOf(dependent))!.outcome, 'skipped');
    assert.deepEqual([result.applied, result.failed, result.skipped], [6, 1, 1]);
    assert.equal(app.users.size, 3 + 5);
    assert.equal(app.groups.size, 0, 'the skipped group assignment was never sent');
    assert.equal(app.pushMappings.size, 0);
    assert.equal(sim.org('hub').groups.size, hubGroupsBefore, 'the Hub group is kept');
    const stats = sim.stats('emea');
    assert.equal(stats.byRoute['PATCH /api/v1/apps/{appId}/group-push/mappings/{mappingId}'], 1);
    assert.equal(stats.byRoute['DELETE /api/v1/apps/{appId}/group-push/mappings/{mappingId}'], 1);
    assert.equal(stats.byRoute['POST /api/v1/apps/{appId}/users'], 6, 'the failed POST was not resent');
    assert.equal(events.filter((e) => e.type === 'change-failed').length, 1);
  });
});

describe('applyPlan under a tight rate limit', () => {
  let sim: Sim;
  before(async () => {
    // 20 calls per (scaled) minute on /api/v1/apps/*: 45 assignments need three windows.
    sim = await startSim(seed(true), { timeScale: 60, rateLimits: { apps: 20 } });
  });
  after(async () => {
    await sim.close();
  });

  it('waits for the resets instead of failing, and says so through events', async () => {
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    const events: ApplyEvent[] = [];
    const forward = (e: ClientEvent): void => {
      const event = applyEventOfClientEvent(e);
      if (event) events.push(event);
    };
    const clients = { spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!, { onEvent: forward }) } };
    const extra = Array.from({ length: 45 }, (_, i) => `extra${i}@emea.example.com`);
    for (const login of extra) emea.addUser(login, { login, email: login, firstName: 'x', lastName: 'y' }, 'ACTIVE');
    const changes = extra.map((login) =>
      change('emea', 'assignment.user', login, 'create', {
        type: 'assignment.user.assign',
        appId: app.id,
        userId: emea.findUser(login)!.id,
        login,
        profile: { initialStatus: 'active_without_pass' },
        initialStatus: 'active_without_pass',
      }),
    );
    const result = await applyPlan(plan(changes), clients, { onEvent: (e) => events.push(e) });
    assert.deepEqual([result.applied, result.failed], [45, 0], JSON.stringify(result.results.find((r) => r.outcome === 'failed')));
    assert.equal(sim.stats('emea').byRoute['POST /api/v1/apps/{appId}/users'], 45 + sim.stats('emea').status429);
    assert.ok(
      events.some((e) => e.type === 'rate-limit-wait'),
      'rate-limit waits reach the apply event stream',
    );
  });

  it('Ctrl-C while assignments wait for the next window: the waiting ones are dropped and reported as not made, none fails', async () => {
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    const stop = new AbortController();
    // Interrupted as soon as the scheduler holds requests for the next window.
    let sent = 0;
    let sentBeforeStop: number | undefined;
    const onEvent = (e: ClientEvent): void => {
      if (e.type === 'request') sent++;
      // Next turn: requests granted in the scheduler's pass that saw the wait are sent by then (in flight).
      if (e.type === 'rate-limit-wait' && sentBeforeStop === undefined) {
        sentBeforeStop = -1;
        setImmediate(() => {
          sentBeforeStop = sent;
          stop.abort();
        });
      }
    };
    const clients = {
      spokes: { emea: clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!, { onEvent, signal: stop.signal }) },
    };
    const extra = Array.from({ length: 45 }, (_, i) => `stopped${i}@emea.example.com`);
    for (const login of extra) emea.addUser(login, { login, email: login, firstName: 'x', lastName: 'y' }, 'ACTIVE');
    const changes = extra.map((login) =>
      change('emea', 'assignment.user', login, 'create', {
        type: 'assignment.user.assign',
        appId: app.id,
        userId: emea.findUser(login)!.id,
        login,
        profile: { initialStatus: 'active_without_pass' },
        initialStatus: 'active_without_pass',
      }),
    );
    // POSTs the Spoke answered with anything but a 429 (the earlier test's included).
    const posts = (): number => (sim.stats('emea').byRoute['POST /api/v1/apps/{appId}/users'] ?? 0) - sim.stats('emea').status429;
    const before = posts();
    const result = await applyPlan(plan(changes), clients, { signal: stop.signal });
    assert.equal(result.interrupted, true);
    assert.equal(result.failed, 0, JSON.stringify(result.results.find((r) => r.outcome === 'failed')));
    const assigned = extra.filter((login) => app.users.has(emea.findUser(login)!.id)).length;
    assert.equal(result.applied, assigned, 'applied is what reached the Spoke');
    assert.ok(result.skipped > 0 && result.applied + result.skipped === 45, `${result.applied} applied, ${result.skipped} not made`);
    assert.ok(result.results.filter((r) => r.outcome === 'skipped').every((r) => r.message === INTERRUPTED_REASON));
    // applyPlan settles every change it started: the dropped ones never went out.
    assert.equal(posts() - before, result.applied);
    assert.equal(sent, sentBeforeStop, 'no request was sent after Ctrl-C');
    assert.ok(result.applied <= sentBeforeStop!, `${result.applied} applied, ${sentBeforeStop} sent before Ctrl-C`);
  });
});

describe("applyPlan: an app update replaces the whole app, as Okta's PUT does", () => {
  let sim: Sim;
  before(async () => {
    sim = await startSim(seed(true));
  });
  after(async () => {
    await sim.close();
  });

  it('reads the app, changes only the base URL and sends everything else back; the group assignment keeps profile keys the plan never saw', async () => {
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    const before = structuredClone(app.settings);
    const engineering = emea.findGroupByName('Engineering')!;
    app.groups.add({
      id: engineering.id,
      seq: 0,
      priority: 0,
      profile: { region: 'emea', securityAnswer: 'canary-group-answer' },
      lastUpdated: '',
    });
    const changes = [
      change('emea', 'app', null, 'update', { type: 'app.update', appId: app.id, label: 'Acme Hub', baseUrl: sim.orgs.hub!.url + '/' }),
      change('emea', 'assignment.group', 'Engineering', 'update', {
        type: 'assignment.group.assign',
        appId: app.id,
        groupId: engineering.id,
        priority: 3,
        profile: { role: 'eng' },
        mergeLive: true,
      }),
    ];
    const result = await applyPlan(plan(changes), clientsOf(sim), {});
    assert.deepEqual([result.applied, result.failed], [2, 0], JSON.stringify(result.results));
    const settings = app.settings.app as Record<string, unknown>;
    assert.equal(settings.baseUrl, sim.orgs.hub!.url + '/');
    // acsUrl and audRestriction were not in the plan: a partial PUT would have wiped them.
    assert.equal(settings.acsUrl, (before.app as Record<string, unknown>).acsUrl);
    assert.equal(settings.audRestriction, (before.app as Record<string, unknown>).audRestriction);
    assert.equal(sim.stats('emea').byRoute['GET /api/v1/apps/{appId}'], 1);
    assert.deepEqual(app.groups.get(engineering.id)!.profile, { region: 'emea', securityAnswer: 'canary-group-answer', role: 'eng' });
    assert.equal(app.groups.get(engineering.id)!.priority, 3);
  });
});

describe('applyPlan: linking a push to a Hub group the Spoke never imported', () => {
  let sim: Sim;
  before(async () => {
    const s = seed(true);
    s.orgs.hub!.groups = [{ name: 'Ops' }];
    sim = await startSim(s);
  });
  after(async () => {
    await sim.close();
  });

  it("fails with the step that fixes it (import the Hub's groups), and succeeds once that is done", async () => {
    const emea = sim.org('emea');
    const app = emea.apps.values()[0]!;
    emea.addGroup('Legacy Ops');
    const link = change('emea', 'pushMapping', 'Legacy Ops', 'create', {
      type: 'pushMapping.create',
      appId: app.id,
      sourceGroupId: emea.findGroupByName('Legacy Ops')!.id,
      targetGroupName: 'Ops',
      status: 'ACTIVE',
    });
    const refused = await applyPlan(plan([link]), clientsOf(sim), {});
    assert.equal(refused.failed, 1);
    assert.match(
      refused.results[0]!.message ?? '',
      /Okta links to it only after the Hub's groups have been imported into the Spoke: .*Import → Import Now, then run `org2org apply` again/,
    );
    sim.importHubGroups('emea', 'Acme Hub');
    const linked = await applyPlan(plan([link]), clientsOf(sim), {});
    assert.equal(linked.applied, 1, JSON.stringify(linked.results));
    const mapping = app.pushMappings.values().find((m) => m.sourceGroupId === emea.findGroupByName('Legacy Ops')!.id)!;
    assert.equal(mapping.hubGroupId, sim.org('hub').findGroupByName('Ops')!.id, 'linked to the existing Hub group');
  });
});
