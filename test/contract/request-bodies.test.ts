/**
 * Contract (c): every request body org2org sends, captured while apply carries out every kind of
 * Spoke change against the simulator, uses only key paths that a recorded request (fixtures) or a
 * documented one (named below, with its source) uses for that endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOp } from '../../src/apply/run-op.js';
import type { OktaClient, RequestOptions } from '../../src/okta/types.js';
import type { PlanOp } from '../../src/plan/types.js';
import { startSim } from '../../src/sim/index.js';
import { clientFor } from '../apply/sim-client.js';
import { covered, keyPaths, loadRecorded } from './recorded.js';

const recorded = loadRecorded();

/** Key paths of documented request bodies (spec examples and guides) that no recording shows. */
const DOCUMENTED: Record<string, string[]> = {
  // Guide "Secure API connections between orgs with OAuth 2.0": Add an Org2Org app integration.
  'POST /api/v1/apps': ['name', 'label', 'signOnMode', 'settings.app.baseUrl'],
  // Guides (app-provisioning-connection, secure-oauth-between-orgs) and the spec's
  // ProvisioningConnectionOAuthOrg2OrgWithRotationRequestEx.
  'POST /api/v1/apps/{appId}/connections/default': [
    'profile.authScheme',
    'profile.token',
    'profile.clientId',
    'profile.signing.rotationMode',
  ],
  // Spec UpdateInboundProvisioningFeatureRequestEx and the app-provisioning-connection guide; the
  // schedule's cron objects as the spec's UpdateInboundProvisioningFeatureResponseEx spells them.
  'PUT /api/v1/apps/{appId}/features/INBOUND_PROVISIONING': [
    'importSettings.username.userNameFormat',
    'importSettings.username.userNameExpression',
    'importSettings.schedule.status',
    'importSettings.schedule.fullImport.expression',
    'importSettings.schedule.fullImport.timezone',
    'importSettings.schedule.incrementalImport.expression',
    'importSettings.schedule.incrementalImport.timezone',
    'importRules.userCreateAndMatch.*',
  ],
  // Spec AppUserAssignProvRequest: profile keys are the app-user schema's attributes.
  'POST /api/v1/apps/{appId}/users': ['id', 'scope', 'credentials.userName', 'profile.*'],
  // Spec AppUserUpdateProfileRequest and AppUserUpdateCredRequest.
  'POST /api/v1/apps/{appId}/users/{userId}': ['profile.*', 'credentials.userName', 'credentials.password.value'],
  // Spec GroupAssignmentPutRequestExample: profile keys are the app-user schema's attributes.
  'PUT /api/v1/apps/{appId}/groups/{groupId}': ['id', 'priority', 'profile.*'],
};

/** The endpoint template of a path. */
function templateOf(path: string): string {
  return path
    .replace(/^\/api\/v1\/apps\/[^/]+/, '/api/v1/apps/{appId}')
    .replace(/\/users\/[^/]+$/, '/users/{userId}')
    .replace(/\/groups\/[^/]+$/, '/groups/{groupId}')
    .replace(/\/mappings\/[^/]+$/, '/mappings/{mappingId}');
}

/** Key paths real requests of one endpoint used, plus (for a whole-app PUT) what Okta's app GET returned, since that is what is sent back. */
function allowedFor(endpoint: string): string[] {
  const paths = new Set<string>(DOCUMENTED[endpoint] ?? []);
  for (const sample of recorded.kinds[endpoint]?.samples ?? []) for (const p of keyPaths(sample.request)) paths.add(p);
  if (endpoint === 'PUT /api/v1/apps/{appId}') {
    for (const sample of recorded.kinds['GET /api/v1/apps']!.samples) {
      for (const app of sample.response as unknown[]) for (const p of keyPaths(app)) paths.add(p.replace(/^\[\]\./, ''));
    }
  }
  return [...paths];
}

function capturing(client: OktaClient, sent: { endpoint: string; body: unknown }[]): OktaClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'request') return Reflect.get(target, prop, receiver);
      return (method: string, path: string, options: RequestOptions = {}) => {
        if (options.body !== undefined) sent.push({ endpoint: `${method} ${templateOf(path)}`, body: options.body });
        return target.request(method as never, path, options);
      };
    },
  });
}

test('contract (c): every body apply sends uses only recorded or documented keys', async () => {
  const sim = await startSim({
    orgs: {
      hub: { tokens: { PROV: { user: 'prov@hub.example.com', roles: ['SUPER_ADMIN'] } } },
      emea: {
        users: [{ login: 'alice@emea.example.com' }, { login: 'bob@emea.example.com' }],
        groups: [
          { name: 'Engineering', members: ['alice@emea.example.com'] },
          { name: 'Sales', members: [] },
        ],
        tokens: { ADMIN: { user: 'admin@emea.example.com', roles: ['SUPER_ADMIN'] } },
        apps: [
          {
            label: 'Acme Hub',
            hub: 'hub',
            connection: { token: 'hub/PROV' },
            provisioning: { createUsers: true },
            groups: ['Engineering'],
          },
        ],
      },
    },
  });
  try {
    const emea = sim.org('emea');
    const sent: { endpoint: string; body: unknown }[] = [];
    const client = capturing(clientFor('emea', sim.orgs.emea!.url, sim.orgs.emea!.tokens.ADMIN!), sent);
    const appId = emea.apps.values()[0]!.id;
    const alice = emea.findUser('alice@emea.example.com')!.id;
    const bob = emea.findUser('bob@emea.example.com')!.id;
    const engineering = emea.findGroupByName('Engineering')!.id;
    const sales = emea.findGroupByName('Sales')!.id;
    const env = { HUB_TOKEN: sim.orgs.hub!.tokens.PROV!, ANSWER: 'fake-answer-for-the-contract-test' };
    const ctx = { client, env, appId: () => appId, secrets: new Set<string>() };
    const ops: PlanOp[] = [
      { type: 'app.create', label: 'Second Hub', signOnMode: 'SAML_2_0', baseUrl: sim.orgs.hub!.url },
      { type: 'app.update', appId, label: 'Acme Hub', baseUrl: `${sim.orgs.hub!.url}/` },
      { type: 'app.activate', appId },
      { type: 'connection.set', appId, profile: { authScheme: 'TOKEN', tokenEnv: 'HUB_TOKEN' }, activate: true, disables: false },
      { type: 'connection.deactivate', appId, disables: true },
      { type: 'connection.activate', appId, disables: false },
      {
        type: 'features.toApp',
        appId,
        capabilities: {
          create: { lifecycleCreate: { status: 'ENABLED' } },
          update: {
            lifecycleDeactivate: { status: 'ENABLED' },
            profile: { status: 'ENABLED' },
            password: { status: 'ENABLED', seed: 'RANDOM', change: 'KEEP_EXISTING' },
          },
        },
      },
      {
        type: 'features.toOkta',
        appId,
        capabilities: {
          importSettings: {
            username: { userNameFormat: 'CUSTOM', userNameExpression: 'source.login' },
            schedule: { status: 'ENABLED', fullImport: { expression: '0 3 * * *', timezone: 'UTC' } },
          },
          importRules: { userCreateAndMatch: { exactMatchCriteria: 'EMAIL', autoConfirmNewUsers: true } },
        },
      },
      {
        type: 'assignment.user.assign',
        appId,
        userId: bob,
        login: 'bob@emea.example.com',
        profile: { initialStatus: 'active_with_pass', securityQuestion: 'Pet?', securityAnswer: { $env: 'ANSWER' } },
        initialStatus: 'active_with_pass',
      },
      {
        type: 'assignment.user.update',
        appId,
        userId: bob,
        login: 'bob@emea.example.com',
        profile: { initialStatus: 'active_without_pass' },
      },
      { type: 'assignment.user.unassign', appId, userId: alice, login: 'alice@emea.example.com' },
      { type: 'assignment.group.assign', appId, groupId: sales, priority: 1, profile: {} },
      { type: 'assignment.group.assign', appId, groupId: engineering, priority: 0, profile: { costCenter: 'x' }, mergeLive: true },
      { type: 'pushMapping.create', appId, sourceGroupId: engineering, targetGroupName: 'Engineering', status: 'ACTIVE' },
      { type: 'assignment.group.unassign', appId, groupId: sales },
    ];
    for (const op of ops) await runOp(op, ctx);
    const mapping = emea.apps.get(appId)!.pushMappings.values()[0]!;
    await runOp(
      {
        type: 'pushMapping.update',
        appId,
        mappingId: mapping.id,
        sourceGroupId: engineering,
        targetGroupName: 'Engineering',
        status: 'ACTIVE',
      },
      ctx,
    );
    await runOp(
      {
        type: 'pushMapping.delete',
        appId,
        mappingId: mapping.id,
        sourceGroupId: engineering,
        targetGroupName: 'Engineering',
        deleteTargetGroup: false,
        currentStatus: 'ACTIVE',
      },
      ctx,
    );
    // An OAuth 2.0 connection's body (its activation needs the Hub side, which is not this test's).
    await runOp(
      {
        type: 'connection.set',
        appId,
        profile: { authScheme: 'OAUTH2', clientId: '0oaHubServiceApp', rotationMode: 'AUTO' },
        activate: false,
        disables: false,
      },
      ctx,
    );

    const endpoints = new Set(sent.map((s) => s.endpoint));
    for (const e of [
      'POST /api/v1/apps',
      'PUT /api/v1/apps/{appId}',
      'POST /api/v1/apps/{appId}/connections/default',
      'PUT /api/v1/apps/{appId}/features/USER_PROVISIONING',
      'PUT /api/v1/apps/{appId}/features/INBOUND_PROVISIONING',
      'POST /api/v1/apps/{appId}/users',
      'POST /api/v1/apps/{appId}/users/{userId}',
      'PUT /api/v1/apps/{appId}/groups/{groupId}',
      'POST /api/v1/apps/{appId}/group-push/mappings',
      'PATCH /api/v1/apps/{appId}/group-push/mappings/{mappingId}',
    ]) {
      assert.ok(endpoints.has(e), `no body captured for ${e}`);
    }
    const problems: string[] = [];
    for (const { endpoint, body } of sent) {
      const allowed = allowedFor(endpoint);
      if (allowed.length === 0) problems.push(`${endpoint}: no recorded or documented body to compare with`);
      // A path is allowed when a recorded or documented body has it, or has keys under it.
      for (const path of keyPaths(body))
        if (!covered(path, allowed) && !allowed.some((a) => a.startsWith(`${path}.`))) problems.push(`${endpoint}: ${path}`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
    const mappingBody = sent.find((s) => s.endpoint === 'POST /api/v1/apps/{appId}/group-push/mappings')!.body as Record<string, unknown>;
    assert.equal(mappingBody.targetGroupId, undefined, 'never a Hub id');
  } finally {
    await sim.close();
  }
});
