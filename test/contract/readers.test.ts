/**
 * Contract (a): what real Okta orgs answered (recorded), served back on loopback, goes through
 * org2org's own client, readers and normalizers, and comes out as the state the planner expects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OktaApiError } from '../../src/okta/errors.js';
import type { OktaClient } from '../../src/okta/types.js';
import {
  normalizeApp,
  normalizeAppGroup,
  normalizeAppUserSchema,
  normalizeConnection,
  normalizeToOkta,
  normalizeToApp,
} from '../../src/state/normalize.js';
import { listAppUsers, listPushMappings } from '../../src/state/read-app.js';
import { findGroupsByName, findUsersByLogin, readMemberLoginKeys } from '../../src/state/read-directory.js';
import { sameOktaOrg } from '../../src/state/types.js';
import { clientFor } from '../apply/sim-client.js';
import { loadRecorded, type RecordedSample } from './recorded.js';

const recorded = loadRecorded();

/** Serves every recorded sample at its own method and path (the query picks among samples of one path). */
async function replay(): Promise<{ url: string; server: Server }> {
  const samples: RecordedSample[] = Object.values(recorded.kinds).flatMap((k) => k.samples);
  let url = '';
  const server = createServer((req, res) => {
    const asked = new URL(req.url ?? '/', 'http://x');
    const candidates = samples.filter((s) => s.method === req.method && new URL(s.url, 'http://x').pathname === asked.pathname);
    const exact = candidates.find((s) => new URL(s.url, 'http://x').search === asked.search);
    const error = recorded.errors.find((e) => e.method === req.method && new URL(e.url, 'http://x').pathname === asked.pathname);
    const sample = exact ?? candidates.at(-1);
    if (!sample && error) {
      res.writeHead(error.code, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(error.response));
    }
    if (!sample) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({ errorCode: 'E0000007', errorSummary: 'Not found', errorLink: 'E0000007', errorId: 'oaereplay', errorCauses: [] }),
      );
    }
    // Only rel="self" links, as recorded: a "next" link would point at a page nobody recorded.
    const link = sample.link.filter((l) => l.includes('rel="self"')).map((l) => l.replace('{org}', url));
    res.writeHead(sample.code, { 'content-type': 'application/json', ...(link.length > 0 ? { link: link.join(', ') } : {}) });
    res.end(sample.response === null ? '' : JSON.stringify(sample.response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server };
}

const response = (kind: string, i = 0): Record<string, unknown> => recorded.kinds[kind]!.samples[i]!.response as Record<string, unknown>;

describe("contract (a): recorded Okta answers through org2org's readers", () => {
  let server: Server;
  let client: OktaClient;
  before(async () => {
    const r = await replay();
    server = r.server;
    client = clientFor('spoke', r.url, 'replay-token-not-a-secret');
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('okta_org2org apps: base URL (the Hub, also as its -admin domain), sign-on mode, features, Profile Sourcing beside To App', async () => {
    const apps: Record<string, unknown>[] = [];
    for await (const page of client.pages<Record<string, unknown>>('/api/v1/apps', { limit: 200 })) apps.push(...page);
    const live = apps.filter((a) => a.name === 'okta_org2org').map(normalizeApp);
    const byId = new Map(live.map((a) => [a.id, a]));
    const admin = byId.get('0oarblaf7hWdLawNg1d7')!;
    assert.equal(admin.baseUrl, 'https://integrator-8357679-admin.okta.com');
    assert.ok(sameOktaOrg(admin.baseUrl, 'https://integrator-8357679.okta.com'), 'the -admin domain is the Hub');
    const sourcing = byId.get('0oardqt3r8Cet4BEh1d7')!;
    assert.ok(sourcing.features.includes('PROFILE_MASTERING') && sourcing.features.includes('PUSH_NEW_USERS'));
    assert.ok(sameOktaOrg(sourcing.baseUrl, 'https://dcp-sep25.oktapreview.com'));
    assert.equal(byId.get('0oaqbf3tn6BH5HS3n1d7')!.signOnMode, 'OPENID_CONNECT');
    const other = (recorded.kinds['GET /api/v1/apps']!.samples[1]!.response as Record<string, unknown>[]).map(normalizeApp);
    assert.equal(
      other.find((a) => a.id === '0oatu5okoj9eWUjp01d7')!.baseUrl,
      '',
      'an app without settings.app.baseUrl reads as no base URL',
    );
  });

  it('the connection: scheme and status; a POST without ?activate answered DISABLED', async () => {
    const read = normalizeConnection(await client.get(`/api/v1/apps/0oarblaf7hWdLawNg1d7/connections/default`));
    assert.deepEqual([read.authScheme, read.status], ['TOKEN', 'ENABLED']);
    const posted = normalizeConnection(response('POST /api/v1/apps/{appId}/connections/default'));
    assert.deepEqual([posted.authScheme, posted.status], ['TOKEN', 'DISABLED']);
  });

  it("features: To App in the console's words; INBOUND with userNameFormat", async () => {
    const toApp = normalizeToApp(await client.get('/api/v1/apps/0oarblaf7hWdLawNg1d7/features/USER_PROVISIONING'));
    assert.deepEqual(
      { ...toApp, fingerprint: undefined },
      {
        createUsers: true,
        updateUserAttributes: false,
        deactivateUsers: true,
        syncPassword: { seed: 'RANDOM', change: 'KEEP_EXISTING' },
        fingerprint: undefined,
      },
    );
    const inbound = normalizeToOkta(await client.get('/api/v1/apps/0oarblaf7hWdLawNg1d7/features/INBOUND_PROVISIONING'));
    assert.deepEqual(inbound.import.username, { userNameFormat: 'EMAIL' });
    assert.deepEqual(inbound.import.schedule, { status: 'DISABLED' });
    assert.equal(inbound.import.match?.exactMatchCriteria, 'USERNAME');
  });

  it('app users through listAppUsers: login, status, syncState; nulls dropped', async () => {
    const [user] = await listAppUsers(client, '0oauj96z2dGonI16R1d7');
    assert.equal(user!.login, 'testAcc_2654458437@example.com');
    assert.deepEqual([user!.status, user!.syncState, user!.scope], ['ACTIVE', 'DISABLED', 'USER']);
    assert.equal(user!.externalId, undefined);
  });

  it('app groups: priority and profile', () => {
    const groups = (recorded.kinds['GET /api/v1/apps/{appId}/groups']!.samples[0]!.response as Record<string, unknown>[]).map((g) =>
      normalizeAppGroup(g, String(g.id)),
    );
    assert.deepEqual(
      groups.map((g) => [g.priority, g.profile]),
      [
        [1, {}],
        [2, {}],
        [3, {}],
      ],
    );
  });

  it('push mappings through listPushMappings: targetGroupId is kept as a Spoke group id, no lastPush, created kept', async () => {
    const mappings = await listPushMappings(client, '0oawoyz8k9Mcl07XX1d7');
    assert.equal(mappings.length, 2);
    for (const m of mappings) {
      assert.equal(m.lastPush, undefined);
      assert.equal(m.status, 'ACTIVE');
      assert.match(m.targetGroupId!, /^00g/);
      assert.ok(m.created);
      assert.equal(m.targetGroupName, undefined, "named only from the Spoke's own groups, never guessed");
    }
  });

  it('app-user schemas: attributes read from definitions.base as well as custom', async () => {
    const schema = normalizeAppUserSchema(await client.get('/api/v1/meta/schemas/apps/0oauj9or7ayYIsWuE1d7/default'));
    assert.ok(schema.attributes.includes('userName') && schema.attributes.includes('email'), schema.attributes.join(', '));
    const withCustom = normalizeAppUserSchema(response('GET /api/v1/meta/schemas/apps/{appId}/default', 2));
    assert.ok(withCustom.attributes.includes('testAcc_3677728104') && withCustom.attributes.includes('given_name'));
  });

  it('directory: users by login, groups by name, group members', async () => {
    const users = await findUsersByLogin(client, ['john_3352527563@thewho.com', 'nobody@example.com']);
    assert.deepEqual(Object.keys(users), ['john_3352527563@thewho.com']);
    assert.ok(['STAGED', 'PROVISIONED'].includes(users['john_3352527563@thewho.com']!.status));
    const groups = await findGroupsByName(client, ['Everyone']);
    assert.equal(groups.Everyone?.id, '00grp9xdc1NNG01rz697');
    assert.deepEqual(await readMemberLoginKeys(client, '00gkwu85grCNSuWBG1d7'), ['john_3671860054@ledzeppelin.com']);
  });

  it('errors: code, summary, causes and errorId reach OktaApiError', async () => {
    await assert.rejects(client.get('/api/v1/zones/nzooq43khomS7zXxt5d7'), (err: unknown) => {
      assert.ok(err instanceof OktaApiError);
      assert.deepEqual([err.status, err.errorCode, err.errorId], [404, 'E0000007', 'oaezx_8VD9aQYq6Y6vWGQ9IOg']);
      assert.match(err.message, /Not found: Resource not found/);
      return true;
    });
  });
});
