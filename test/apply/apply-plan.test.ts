/**
 * applyPlan's order, failures, concurrency and secrets, against the simulator over HTTP: what was
 * sent is read back from the simulated orgs, and the order of the calls from the client's events.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { applyEventOfClientEvent, applyPlan } from '../../src/apply/apply-plan.js';
import type { ApplyEvent } from '../../src/apply/types.js';
import type { ClientEvent, OktaClient } from '../../src/okta/types.js';
import type { Change } from '../../src/plan/types.js';
import { startSim, type FaultRule, type Sim, type SimOrg } from '../../src/sim/index.js';
import { change, plan } from '../builders/plan.js';
import { clientFor } from './sim-client.js';
import { addressOf } from '../../src/plan/address.js';

const CANARY_TOKEN = 'canary-provisioning-token-7f3e';
const CANARY_ANSWER = 'canary-security-answer-91ab';
const ADMIN = 'fake-admin-token-for-tests';

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/**
 * A Hub (whose Super Administrator owns CANARY_TOKEN) and Spokes with users u0…u{users-1}, groups
 * A and B, and, with `app`, an Org2Org app holding `pushes` (group → status) and `assigned` users.
 */
async function world(
  options: {
    spokes?: string[];
    users?: number;
    app?: boolean;
    pushes?: Record<string, 'ACTIVE' | 'INACTIVE'>;
    assigned?: number[];
    faults?: FaultRule[];
    latencyMs?: number;
  } = {},
): Promise<Sim> {
  const logins = Array.from({ length: options.users ?? 10 }, (_, i) => `u${i}@acme.com`);
  const spoke = () => ({
    users: logins.map((login) => ({ login })),
    groups: [{ name: 'A' }, { name: 'B' }],
    tokens: { ADMIN: { value: ADMIN, user: 'admin@acme.com', roles: ['SUPER_ADMIN' as const] } },
    ...(options.app
      ? {
          apps: [
            {
              label: 'Acme Hub',
              hub: 'hub',
              connection: { token: 'hub/PROV', status: 'ENABLED' as const },
              users: (options.assigned ?? []).map((n) => ({ login: logins[n]! })),
              pushMappings: Object.entries(options.pushes ?? {}).map(([source, status]) => ({ source, target: source, status })),
            },
          ],
        }
      : {}),
  });
  sim = await startSim(
    {
      orgs: {
        hub: { tokens: { PROV: { value: CANARY_TOKEN, user: 'provisioner@hub.example.com', roles: ['SUPER_ADMIN'] } } },
        ...Object.fromEntries((options.spokes ?? ['emea']).map((name) => [name, spoke()])),
      },
    },
    { latencyMs: options.latencyMs ?? 0, faults: options.faults ?? [] },
  );
  return sim;
}

/** Clients of the Spokes, their calls (`METHOD path?query`, in the order sent) and their requests in flight held at 40. */
function clientsOf(s: Sim, names: string[] = ['emea']): { spokes: Record<string, OktaClient>; sent: string[] } {
  const sent: string[] = [];
  const onEvent = (e: ClientEvent): void => {
    if (e.type === 'request') sent.push(`${e.method} ${e.path}`);
  };
  return {
    spokes: Object.fromEntries(names.map((name) => [name, clientFor(name, s.orgs[name]!.url, ADMIN, { onEvent, adaptive: false })])),
    sent,
  };
}

function appOf(org: SimOrg) {
  return org.apps.values()[0]!;
}

function assign(s: Sim, spoke: string, n: number, appId: string | null, extra: Partial<Change> = {}): Change {
  const login = `u${n}@acme.com`;
  return change(
    spoke,
    'assignment.user',
    login,
    'create',
    {
      type: 'assignment.user.assign',
      appId,
      userId: s.org(spoke).findUser(login)!.id,
      login,
      profile: { initialStatus: 'active_with_pass' },
      initialStatus: 'active_with_pass',
    },
    extra,
  );
}

function freshAppChanges(s: Sim, spoke: string, users: number): Change[] {
  const app = change(spoke, 'app', null, 'create', {
    type: 'app.create',
    label: 'Acme Hub',
    signOnMode: 'SAML_2_0',
    baseUrl: s.orgs.hub!.url,
  });
  const connection = change(
    spoke,
    'connection',
    null,
    'create',
    {
      type: 'connection.set',
      appId: null,
      profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' },
      activate: true,
      disables: false,
    },
    { dependsOn: [addressOf(app)] },
  );
  const features = change(
    spoke,
    'features.toApp',
    null,
    'update',
    {
      type: 'features.toApp',
      appId: null,
      capabilities: { create: { lifecycleCreate: { status: 'ENABLED' } } },
    },
    { dependsOn: [addressOf(connection)] },
  );
  const assignments = Array.from({ length: users }, (_, i) => assign(s, spoke, i, null, { dependsOn: [addressOf(features)] }));
  return [...assignments.reverse(), features, connection, app]; // listed out of order on purpose
}

function removal(s: Sim, source: string, currentStatus: string): Change {
  const mapping = appOf(s.org('emea'))
    .pushMappings.values()
    .find((m) => m.sourceGroupId === s.org('emea').findGroupByName(source)!.id)!;
  return change('emea', 'pushMapping', source, 'delete', {
    type: 'pushMapping.delete',
    appId: appOf(s.org('emea')).id,
    mappingId: mapping.id,
    sourceGroupId: mapping.sourceGroupId,
    deleteTargetGroup: false,
    currentStatus,
  });
}

describe('applyPlan', () => {
  it('creates the app first and gives its new id to everything after it, in kind order', async () => {
    const s = await world();
    const { spokes, sent } = clientsOf(s);
    const events: ApplyEvent[] = [];
    const result = await applyPlan(
      plan(freshAppChanges(s, 'emea', 5)),
      { spokes },
      { env: { HUB_TOKEN: CANARY_TOKEN }, onEvent: (e) => events.push(e) },
    );
    assert.deepEqual([result.applied, result.failed, result.skipped], [8, 0, 0], JSON.stringify(result.results));
    const apps = s.org('emea').apps.values();
    assert.equal(apps.length, 1);
    const app = apps[0]!;
    assert.deepEqual(result.appIds, { emea: app.id });
    // The Spoke's Org2Org apps are read again right before the create (another apply may have made
    // it) and right after (another apply may have made one at the same time: unique-create.ts).
    assert.deepEqual(sent.slice(0, 5), [
      'GET /api/v1/apps?filter=name eq "okta_org2org"&limit=200',
      'POST /api/v1/apps?activate=true',
      'GET /api/v1/apps?filter=name eq "okta_org2org"&limit=200',
      `POST /api/v1/apps/${app.id}/connections/default?activate=true`,
      `PUT /api/v1/apps/${app.id}/features/USER_PROVISIONING`,
    ]);
    assert.equal(sent.slice(5).filter((p) => p === `POST /api/v1/apps/${app.id}/users`).length, 5);
    assert.deepEqual(
      [app.name, app.label, app.signOnMode, app.status, (app.settings.app as { baseUrl?: string }).baseUrl],
      ['okta_org2org', 'Acme Hub', 'SAML_2_0', 'ACTIVE', s.orgs.hub!.url],
    );
    assert.equal(app.users.get(s.org('emea').findUser('u3@acme.com')!.id)!.userName, 'u3@acme.com');
    assert.equal(events[0]!.type, 'apply-start');
    assert.equal(events.at(-1)!.type, 'apply-end');
  });

  it('fails one assignment, applies the independent ones, skips what depends on it', async () => {
    // The first POST of an assignment fails; with one change in flight, that is the first one.
    const s = await world({
      app: true,
      faults: [{ kind: 'error', status: 500, method: 'POST', path: '/api/v1/apps/{appId}/users', times: 1 }],
    });
    const appId = appOf(s.org('emea')).id;
    const changes = Array.from({ length: 10 }, (_, i) => assign(s, 'emea', i, appId));
    // A push mapping that (for this test) depends on the first assignment, and one that depends on that mapping.
    const failing = changes[0]!;
    const group = (name: string) => s.org('emea').findGroupByName(name)!.id;
    const push = change(
      'emea',
      'pushMapping',
      'A',
      'create',
      {
        type: 'pushMapping.create',
        appId,
        sourceGroupId: group('A'),
        targetGroupName: 'A',
        status: 'ACTIVE',
      },
      { dependsOn: [addressOf(failing)] },
    );
    const pushTwo = change(
      'emea',
      'pushMapping',
      'B',
      'create',
      {
        type: 'pushMapping.create',
        appId,
        sourceGroupId: group('B'),
        targetGroupName: 'B',
        status: 'ACTIVE',
      },
      { dependsOn: [addressOf(push)] },
    );
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan([...changes, push, pushTwo]), clientsOf(s), { onEvent: (e) => events.push(e), concurrency: 1 });

    assert.deepEqual([result.applied, result.failed, result.skipped], [9, 1, 2]);
    const byAddress = new Map(result.results.map((r) => [r.address, r]));
    assert.equal(byAddress.get(addressOf(failing))!.outcome, 'failed');
    assert.match(byAddress.get(addressOf(failing))!.message!, /500|E0000009|Internal/i);
    assert.equal(byAddress.get(addressOf(push))!.outcome, 'skipped');
    assert.match(byAddress.get(addressOf(push))!.message!, /u0@acme\.com.*failed/);
    assert.equal(byAddress.get(addressOf(pushTwo))!.outcome, 'skipped');
    assert.match(byAddress.get(addressOf(pushTwo))!.message!, /pushMapping\["A"\].*skipped/);
    assert.equal(appOf(s.org('emea')).users.size, 9);
    assert.equal(s.stats('emea').byRoute['POST /api/v1/apps/{appId}/group-push/mappings'], undefined, 'no push was sent');
    assert.equal(events.filter((e) => e.type === 'change-skipped').length, 2);
    assert.equal(events.filter((e) => e.type === 'change-failed').length, 1);
  });

  it('skips everything that needs the app id when the app create fails', async () => {
    const s = await world({ faults: [{ kind: 'error', status: 500, method: 'POST', path: '/api/v1/apps', times: 1 }] });
    const changes = freshAppChanges(s, 'emea', 3).map((c) => ({ ...c, dependsOn: [] })); // only the implicit app-id dependency left
    const { spokes, sent } = clientsOf(s);
    const result = await applyPlan(plan(changes), { spokes }, { env: { HUB_TOKEN: CANARY_TOKEN } });
    assert.deepEqual([result.applied, result.failed, result.skipped], [0, 1, 5]);
    assert.deepEqual(
      sent,
      ['GET /api/v1/apps?filter=name eq "okta_org2org"&limit=200', 'POST /api/v1/apps?activate=true'],
      'the create is not resent, nothing else is sent',
    );
  });

  it('sets an ACTIVE push mapping INACTIVE before deleting it, and runs removals after additions', async () => {
    const s = await world({ app: true, pushes: { A: 'ACTIVE', B: 'INACTIVE' } });
    const hubGroups = s.org('hub').groups.size;
    const { spokes, sent } = clientsOf(s);
    const changes = [removal(s, 'A', 'ACTIVE'), removal(s, 'B', 'INACTIVE'), assign(s, 'emea', 1, appOf(s.org('emea')).id)];
    const [gpmA, gpmB] = [changes[0]!, changes[1]!].map((c) => (c.op as { mappingId: string }).mappingId);
    const result = await applyPlan(plan(changes), { spokes });
    assert.equal(result.applied, 3, JSON.stringify(result.results));
    assert.equal(appOf(s.org('emea')).pushMappings.size, 0);
    const paths = sent.map((p) => p.replace(`/api/v1/apps/${appOf(s.org('emea')).id}`, ''));
    assert.equal(paths[0], 'POST /users');
    assert.ok(
      paths.indexOf(`PATCH /group-push/mappings/${gpmA}`) < paths.indexOf(`DELETE /group-push/mappings/${gpmA}?deleteTargetGroup=false`),
      paths.join(', '),
    );
    assert.equal(paths.filter((p) => p === `PATCH /group-push/mappings/${gpmB}`).length, 0);
    assert.equal(s.org('hub').groups.size, hubGroups, 'deleteTargetGroup=false kept the Hub groups');
  });

  it('removes in reverse kind order: push mappings, then assignments, then the connection', async () => {
    const s = await world({ app: true, pushes: { A: 'INACTIVE' }, assigned: [1] });
    const app = appOf(s.org('emea'));
    const userId = s.org('emea').findUser('u1@acme.com')!.id;
    const deactivate = change('emea', 'connection', null, 'update', { type: 'connection.deactivate', appId: app.id, disables: true });
    const unassign = change('emea', 'assignment.user', 'u1@acme.com', 'delete', {
      type: 'assignment.user.unassign',
      appId: app.id,
      userId,
      login: 'u1@acme.com',
    });
    const unpush = removal(s, 'A', 'INACTIVE');
    const { spokes, sent } = clientsOf(s);
    const result = await applyPlan(plan([deactivate, unassign, unpush]), { spokes });
    assert.equal(result.applied, 3, JSON.stringify(result.results));
    assert.deepEqual(
      sent.map((p) => p.replace(`/api/v1/apps/${app.id}`, '')),
      [
        `DELETE /group-push/mappings/${(unpush.op as { mappingId: string }).mappingId}?deleteTargetGroup=false`,
        `DELETE /users/${userId}?sendEmail=false`,
        'POST /connections/default/lifecycle/deactivate',
      ],
    );
    assert.equal(app.connection.status, 'DISABLED');
  });

  it('fails the changes of a spoke it has no client for, and still applies the others', async () => {
    const s = await world({ app: true });
    const result = await applyPlan(
      plan([
        assign(s, 'emea', 1, appOf(s.org('emea')).id),
        (({ resource, ...c }) => ({ ...c, resource: { ...resource, spoke: 'apac' } }))(assign(s, 'emea', 2, '0oa2')),
      ]),
      clientsOf(s),
    );
    assert.deepEqual(
      result.results.map((r) => `${r.spoke} ${r.outcome} ${r.message ?? ''}`.trim()),
      ['emea applied', 'apac failed no API client for spoke apac'],
    );
  });

  it('keeps many assignments in flight at once, within the bound', async () => {
    // Every answer takes 20 ms: the 16 changes allowed in flight are all sent before the first returns.
    const s = await world({ app: true, users: 100, latencyMs: 20 });
    const appId = appOf(s.org('emea')).id;
    const changes = Array.from({ length: 100 }, (_, i) => assign(s, 'emea', i, appId));
    s.resetStats();
    const result = await applyPlan(plan(changes), clientsOf(s), { concurrency: 16 });
    assert.equal(result.applied, 100);
    const peak = s.stats('emea').peakInFlight;
    assert.ok(peak > 1 && peak <= 16, `peak in flight ${peak}`);
  });

  it('runs spokes at the same time', async () => {
    const s = await world({ spokes: ['emea', 'apac'], app: true, latencyMs: 20 });
    const events: ApplyEvent[] = [];
    const changes = [assign(s, 'emea', 1, appOf(s.org('emea')).id), assign(s, 'apac', 2, appOf(s.org('apac')).id)];
    const result = await applyPlan(plan(changes), clientsOf(s, ['emea', 'apac']), { onEvent: (e) => events.push(e) });
    assert.equal(result.applied, 2);
    const kinds = events.map((e) => e.type);
    assert.ok(
      kinds.lastIndexOf('change-start') < kinds.indexOf('change-done'),
      `both spokes start before either finishes: ${kinds.join(', ')}`,
    );
  });

  it('sends env secrets to Okta and nowhere else', async () => {
    const s = await world({ app: true });
    const app = appOf(s.org('emea'));
    const connection = change('emea', 'connection', null, 'create', {
      type: 'connection.set',
      appId: app.id,
      profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' },
      activate: true,
      disables: false,
    });
    const alice = change('emea', 'assignment.user', 'u1@acme.com', 'create', {
      type: 'assignment.user.assign',
      appId: app.id,
      userId: s.org('emea').findUser('u1@acme.com')!.id,
      login: 'u1@acme.com',
      profile: { initialStatus: 'active_with_pass', securityQuestion: 'First pet?', securityAnswer: { $env: 'ALICE_ANSWER' } },
      initialStatus: 'active_with_pass',
    });
    const bob = change('emea', 'assignment.user', 'u2@acme.com', 'create', {
      type: 'assignment.user.assign',
      appId: app.id,
      userId: s.org('emea').findUser('u2@acme.com')!.id,
      login: 'u2@acme.com',
      profile: { securityAnswer: { $env: 'UNSET_ANSWER' } },
      initialStatus: 'active_with_pass',
    });
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan([connection, alice, bob]), clientsOf(s), {
      env: { HUB_TOKEN: CANARY_TOKEN, ALICE_ANSWER: CANARY_ANSWER },
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual([result.applied, result.failed], [2, 1], JSON.stringify(result.results));
    assert.equal(app.connection.token, CANARY_TOKEN, 'the token reached Okta');
    assert.equal(
      app.users.get(s.org('emea').findUser('u1@acme.com')!.id)!.profile.securityAnswer,
      CANARY_ANSWER,
      'the answer reached Okta',
    );
    const seen = JSON.stringify({ events, result });
    assert.ok(!seen.includes(CANARY_TOKEN), 'no token in events or result');
    assert.ok(!seen.includes(CANARY_ANSWER), 'no answer in events or result');
    assert.match(result.results.find((r) => r.address === addressOf(bob))!.message!, /environment variable UNSET_ANSWER is not set/);
    assert.equal(s.stats('emea').byRoute['POST /api/v1/apps/{appId}/users'], 1, 'nothing sent for the user whose answer is unset');
  });

  it('keeps a secret that Okta echoes in an error out of the result', async () => {
    const s = await world({ app: true });
    const app = appOf(s.org('emea'));
    // The connection is refused (the token is no Hub token); the refusal's text is made to carry
    // the token back, as an Okta error quoting the request would.
    const client = clientsOf(s).spokes.emea!;
    const echoing: OktaClient = Object.assign(Object.create(client) as OktaClient, {
      request: (...args: Parameters<OktaClient['request']>) =>
        client.request(...args).catch((error: Error) => {
          throw new Error(`${error.message} (sent ${JSON.stringify(args[2]?.body)})`);
        }),
    });
    const connection = change('emea', 'connection', null, 'create', {
      type: 'connection.set',
      appId: app.id,
      profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' },
      activate: true,
      disables: false,
    });
    const result = await applyPlan(
      plan([connection]),
      { spokes: { emea: echoing } },
      { env: { HUB_TOKEN: 'canary-not-a-hub-token-44c1' } },
    );
    assert.equal(result.failed, 1);
    assert.match(result.results[0]!.message!, /\(sensitive\)/);
    assert.ok(!JSON.stringify(result).includes('canary-not-a-hub-token-44c1'));
  });

  it('refuses an errored plan and applies nothing for observe spokes', async () => {
    const s = await world({ app: true });
    const appId = appOf(s.org('emea')).id;
    await assert.rejects(applyPlan(plan([assign(s, 'emea', 1, appId)], { errored: true }), clientsOf(s)), /plan has errors/);
    const observed = plan([assign(s, 'emea', 1, appId)]);
    observed.spokes[0]!.mode = 'observe';
    s.resetStats();
    const result = await applyPlan(observed, clientsOf(s));
    assert.deepEqual(result.results, []);
    assert.equal(s.stats('emea').total, 0);
  });
});

describe('applyEventOfClientEvent', () => {
  it('passes rate-limit waits on and drops the rest', () => {
    assert.deepEqual(
      applyEventOfClientEvent({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: 1_700_000_012_000, reason: '429' }),
      {
        type: 'rate-limit-wait',
        org: 'emea',
        bucket: 'apps',
        until: 1_700_000_012_000,
        reason: '429',
      },
    );
    assert.equal(applyEventOfClientEvent({ type: 'request', org: 'emea', method: 'GET', path: '/api/v1/apps', bucket: 'apps' }), undefined);
  });
});
