/**
 * A Spoke shaped like the real Org2Org apps in the recorded traffic: the app's base URL is the
 * Hub's `-admin` (Admin Console) domain, Org2Org's app-user attributes sit in the schema's
 * `definitions.base`, Profile Sourcing is on beside To App features, and INBOUND_PROVISIONING
 * spells `userNameFormat`. A config that says exactly that must plan as no change at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../src/sim/index.js';
import { runCli } from '../run-cli.js';

const CONFIG = `version: 1
hub:
  url: https://acme.okta.com
spokes:
  - name: emea
    url: \${OKTA_EMEA_URL}
    auth:
      token: \${OKTA_EMEA_TOKEN}
    app:
      label: Acme Hub
    provisioning:
      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false }
      toOkta:
        profileSourcing: true
        import:
          username: { userNameFormat: EMAIL }
    assignments:
      users:
        - login: alice@acme.com
          initialStatus: active_with_pass
          securityQuestion: First pet?
`;

test('a plan against a real-shaped Spoke (-admin base URL, schema attributes in base, Profile Sourcing with To App on, userNameFormat) is a no-op', async () => {
  // The app points at the Hub's Admin Console domain. The simulated Hub answers to the real
  // names in base URLs only; the config gives the Hub no credentials, so nothing is sent there.
  const sim = await startSim({
    orgs: {
      hub: {
        aliases: ['https://acme.okta.com', 'https://acme-admin.okta.com'],
        tokens: { PROV: { user: 'prov@hub.acme.com', roles: ['SUPER_ADMIN'] } },
      },
      emea: {
        users: [{ login: 'alice@acme.com' }],
        tokens: { OKTA_EMEA_TOKEN: { user: 'admin@emea.acme.com', roles: ['SUPER_ADMIN'] } },
        apps: [
          {
            label: 'Acme Hub',
            hub: 'hub',
            baseUrl: 'https://acme-admin.okta.com',
            profileSourcing: true,
            connection: { authScheme: 'TOKEN', token: 'hub/PROV', status: 'ENABLED' },
            provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false },
            users: [{ login: 'alice@acme.com', initialStatus: 'active_with_pass', securityQuestion: 'First pet?' }],
          },
        ],
      },
    },
    env: { OKTA_EMEA_URL: '${orgs.emea.url}', OKTA_EMEA_TOKEN: '${orgs.emea.tokens.OKTA_EMEA_TOKEN}' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-real-spoke-'));
  try {
    const emea = sim.orgs.emea!.url;
    const token = sim.env.OKTA_EMEA_TOKEN!;
    const get = async (path: string): Promise<any> =>
      (await fetch(`${emea}${path}`, { headers: { authorization: `SSWS ${token}` } })).json();
    // The shapes the test is about really are there.
    const [app] = await get('/api/v1/apps');
    assert.equal(app.settings.app.baseUrl, 'https://acme-admin.okta.com');
    assert.ok(app.features.includes('PROFILE_MASTERING') && app.features.includes('PUSH_NEW_USERS'));
    const schema = await get(`/api/v1/meta/schemas/apps/${app.id}/default`);
    assert.ok('initialStatus' in schema.definitions.base.properties && !('initialStatus' in schema.definitions.custom.properties));
    const inbound = await get(`/api/v1/apps/${app.id}/features/INBOUND_PROVISIONING`);
    assert.equal(inbound.capabilities.importSettings.username.userNameFormat, 'EMAIL');

    const file = join(dir, 'org2org.yaml');
    writeFileSync(file, CONFIG);
    const run = await runCli(['plan', '-c', file, '--detailed-exitcode'], sim.env);
    assert.equal(run.code, 0, `expected no changes (exit 0):\n${run.stdout}\n${run.stderr}`);
    assert.doesNotMatch(run.stdout + run.stderr, /baseUrl|initialStatus attribute|error/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});
