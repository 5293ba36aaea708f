/**
 * A `clientId:` Hub service app whose client id is not its app id, as Okta defines it (recorded: app
 * `0oa…` with client_id `testclientid123456`, its grants under `/api/v1/apps/{appId}/grants`): the
 * client is read at `/oauth2/v1/clients/{clientId}`, its app (status, grants) through the Apps API
 * by `credentials.oauthClient.client_id`, its roles at `/oauth2/v1/clients/{clientId}/roles`. `check`
 * verifies steps 3–5 of Okta's guide for it, and plan, apply and provisioning work through it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Sim, SimApp } from '../../src/sim/index.js';
import { findLeaks } from './cli.js';
import { type NordicsWorld, nordicsConfig, startNordics } from './nordics.js';

const CLIENT_ID = 'testclientid123456';
const APP_ID = '0oacustomclient0001';

const CONFIG = nordicsConfig(`    connection:
      authScheme: OAUTH2
      clientId: ${CLIENT_ID}
      rotationMode: AUTO
    provisioning:
      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false }
    assignments:
      defaults: { initialStatus: active_with_pass }
      users:
        - login: astrid@acme.com
`);

describe('e2e: a clientId service app whose client id is not its app id', () => {
  let world: NordicsWorld;
  let sim: Sim;
  const run = (...args: string[]) => world.run(...args);
  const hubApp = (): SimApp => sim.org('hub').apps.get(APP_ID)!;

  before(async () => {
    const throwaway = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    world = await startNordics('client-id', CONFIG, {
      hub: {
        serviceApps: [
          {
            clientId: CLIENT_ID,
            appId: APP_ID,
            name: 'Nordics provisioner',
            publicJwk: { ...throwaway, kid: 'throwaway' },
            scopes: ['okta.users.manage', 'okta.groups.manage'],
            roles: ['USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN'],
          },
        ],
      },
      nordics: {
        users: [{ login: 'astrid@acme.com' }],
        apps: [
          {
            label: 'Acme Hub',
            hub: 'hub',
            connection: { clientId: CLIENT_ID },
            provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: true },
          },
        ],
      },
    });
    sim = world.sim;
    // AUTO trust: the Hub client reads the Spoke connection's keys.
    hubApp().oauth!.jwks = null;
    hubApp().oauth!.jwksUri = `${sim.orgs.nordics!.url}/api/v1/apps/${world.spokeApp().id}/connections/default/jwks`;
  });
  after(() => world.close());

  it('the simulator keeps the two ids apart, as Okta does', () => {
    assert.notEqual(hubApp().id, CLIENT_ID);
    assert.equal(sim.org('hub').oauthClient(CLIENT_ID)?.id, APP_ID);
    assert.equal(sim.org('hub').apps.get(CLIENT_ID), undefined);
  });

  it('check finds the client, reads its app by client id and passes steps 3–5', async () => {
    const check = await run('check', '--format', 'json');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const nordics = JSON.parse(check.stdout).orgs.find((o: { org: string }) => o.org === 'nordics');
    assert.deepEqual(nordics.connection.serviceApp, {
      found: true,
      clientId: CLIENT_ID,
      status: 'ACTIVE',
      scopes: ['okta.groups.manage', 'okta.users.manage'],
      roles: ['GROUP_MEMBERSHIP_ADMIN', 'USER_ADMIN'],
    });
    const hubRoutes = sim.stats('hub').byRoute;
    assert.ok((hubRoutes['GET /api/v1/apps/{appId}/grants'] ?? 0) > 0, 'grants are read under the app id');
    assert.deepEqual(findLeaks(sim, check.stdout + check.stderr), []);
  });

  const breakages: [string, RegExp, () => () => void][] = [
    [
      'step 3: the app deactivated',
      /step 3 .*Nordics provisioner \(testclientid123456\) is INACTIVE/,
      () => {
        hubApp().status = 'INACTIVE';
        return () => void (hubApp().status = 'ACTIVE');
      },
    ],
    [
      'step 4: a grant revoked',
      /step 4 .* is not granted okta\.users\.manage/,
      () => {
        const grant = hubApp()
          .grants.values()
          .find((g) => g.scopeId === 'okta.users.manage')!;
        hubApp().grants.delete(grant.id);
        return () => void hubApp().grants.add({ ...grant, seq: 0 });
      },
    ],
    [
      'step 5: a role removed',
      /step 5 .* lacks the role GROUP_MEMBERSHIP_ADMIN/,
      () => {
        const role = hubApp()
          .roles.values()
          .find((r) => r.type === 'GROUP_MEMBERSHIP_ADMIN')!;
        hubApp().roles.delete(role.id);
        return () => void hubApp().roles.add({ ...role, seq: 0 });
      },
    ],
  ];
  for (const [name, expected, breakIt] of breakages) {
    it(`${name}: check names the step and exits 1`, async () => {
      const restore = breakIt();
      try {
        const check = await run('check');
        assert.equal(check.code, 1, check.stdout + check.stderr);
        assert.match(check.stdout + check.stderr, expected);
      } finally {
        restore();
      }
    });
  }

  it('plan and apply provision through it: the user arrives in the Hub over OAuth', async () => {
    const apply = await run('apply', '--auto-approve', '--wait');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal(sim.org('hub').findUser('astrid@acme.com')?.status, 'ACTIVE');
    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });
});
