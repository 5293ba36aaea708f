/**
 * Issue 23 item 3: org2org's own OAuth with DPoP (RFC 9449). A Spoke whose service app is
 * DPoP-bound refuses a token request without a proof (`400 invalid_dpop_proof`, as recorded) and
 * asks for its nonce (`use_dpop_nonce`); org2org switches to DPoP on that answer, retries with the
 * nonce, and sends `Authorization: DPoP …` with a fresh proof on every call. plan, apply and check
 * work end to end through it, beside a Spoke whose service app is not DPoP-bound (Bearer), and
 * `check` says which mode each org uses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../src/credentials.js';
import { createOktaClient } from '../../src/okta/client.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { findLeaks, runCli } from './cli.js';

const SCOPES = ['okta.apps.manage', 'okta.users.read', 'okta.groups.read'];

const spokeBlock = (name: string) => `  - name: ${name}
    url: \${${name.toUpperCase()}_URL}
    auth:
      oauth:
        clientId: ${name}-org2org
        privateKey: \${${name.toUpperCase()}_KEY}
        scopes: [${SCOPES.join(', ')}]
    app:
      label: Acme Hub
    connection:
      authScheme: TOKEN
      token: \${HUB_PROVISIONING_TOKEN}
    provisioning:
      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false }
    assignments:
      defaults: { initialStatus: active_with_pass }
      users:
        - login: ${name}-user@acme.com
`;

const CONFIG = `version: 1
hub:
  url: \${HUB_URL}
  auth:
    token: \${HUB_PROVISIONING_TOKEN}
spokes:
${spokeBlock('nordics')}${spokeBlock('baltics')}`;

describe('e2e: DPoP-bound and Bearer service apps as org2org’s own credentials', () => {
  let sim: Sim;
  let dir: string;
  let config: string;
  let env: Record<string, string>;
  const keys = {
    nordics: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    baltics: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };
  const run = (...args: string[]) => runCli([...args, '-c', config], env);

  before(async () => {
    const serviceApp = (name: 'nordics' | 'baltics', dpopBound: boolean) => ({
      clientId: `${name}-org2org`,
      publicJwk: { ...(keys[name].publicKey.export({ format: 'jwk' }) as Record<string, unknown>) },
      scopes: SCOPES,
      roles: ['SUPER_ADMIN' as const],
      dpopBound,
    });
    sim = await startSim(
      {
        orgs: {
          hub: { tokens: { HUB_PROVISIONING_TOKEN: { user: 'admin@hub.acme.com', roles: ['SUPER_ADMIN'] } } },
          nordics: { users: [{ login: 'nordics-user@acme.com' }], serviceApps: [serviceApp('nordics', true)] },
          baltics: { users: [{ login: 'baltics-user@acme.com' }], serviceApps: [serviceApp('baltics', false)] },
        },
        env: {
          HUB_URL: '${orgs.hub.url}',
          NORDICS_URL: '${orgs.nordics.url}',
          BALTICS_URL: '${orgs.baltics.url}',
          HUB_PROVISIONING_TOKEN: '${orgs.hub.tokens.HUB_PROVISIONING_TOKEN}',
        },
      },
      { timeScale: 60 },
    );
    env = {
      ...sim.env,
      NORDICS_KEY: keys.nordics.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      BALTICS_KEY: JSON.stringify(keys.baltics.privateKey.export({ format: 'jwk' })),
    };
    dir = mkdtempSync(join(tmpdir(), 'org2org-dpop-'));
    config = join(dir, 'org2org.config.yaml');
    writeFileSync(config, CONFIG);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  it('the simulator refuses a DPoP-bound app’s token request without a proof, as recorded, and a Bearer use of a DPoP token', async () => {
    const client = createOktaClient({
      org: 'nordics',
      baseUrl: sim.orgs.nordics!.url,
      auth: {
        kind: 'oauth',
        clientId: 'nordics-org2org',
        privateKey: new Secret('K', env.NORDICS_KEY!),
        scopes: ['okta.apps.read'],
        dpop: false,
      },
      maxRetries: 0,
    });
    await assert.rejects(client.get('/api/v1/apps'), (err: Error & { errorCode?: string }) =>
      /invalid_dpop_proof/.test(String(err.errorCode)),
    );
  });

  it('plan and apply work through both; the DPoP Spoke’s token came after a proof and a nonce', async () => {
    const plan = await run('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    const apply = await run('apply', '--auto-approve', '--wait');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    for (const name of ['nordics', 'baltics']) assert.equal(sim.org('hub').findUser(`${name}-user@acme.com`)?.status, 'ACTIVE', name);
    const again = await run('plan', '--detailed-exitcode');
    assert.equal(again.code, 0, again.stdout + again.stderr);
    for (const grant of sim.org('nordics').accessTokens.values()) assert.ok(grant.jkt, 'every nordics token is DPoP-bound');
    for (const grant of sim.org('baltics').accessTokens.values()) assert.equal(grant.jkt, undefined, 'baltics uses Bearer tokens');
    assert.deepEqual(findLeaks(sim, plan.stdout + plan.stderr + apply.stdout + apply.stderr), []);
    assert.ok(!(apply.stdout + apply.stderr).includes(env.NORDICS_KEY!.slice(40, 80)), 'no private key material');
  });

  it('check says which mode each org uses', async () => {
    const check = await run('check', '--format', 'json');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const orgs = JSON.parse(check.stdout).orgs as { org: string; credential?: { authMode?: string; identity?: string } }[];
    const mode = (org: string) => orgs.find((o) => o.org === org)?.credential?.authMode;
    assert.equal(mode('hub'), 'SSWS');
    assert.equal(mode('nordics'), 'DPoP');
    assert.equal(mode('baltics'), 'Bearer');
    const text = await run('check');
    assert.match(text.stdout, /service app nordics-org2org \(DPoP-bound token\)/);
    assert.match(text.stdout, /service app baltics-org2org \(Bearer token\)/);
  });

  it('dpop: true in the config sends proofs from the first token request (no invalid_dpop_proof round trip)', async () => {
    const before = sim.stats('nordics').byRoute['POST /oauth2/v1/token'] ?? 0;
    const client = createOktaClient({
      org: 'nordics',
      baseUrl: sim.orgs.nordics!.url,
      auth: {
        kind: 'oauth',
        clientId: 'nordics-org2org',
        privateKey: new Secret('K', env.NORDICS_KEY!),
        scopes: ['okta.apps.manage'],
        dpop: true,
      },
    });
    const apps = await client.get<unknown[]>('/api/v1/apps');
    assert.ok(Array.isArray(apps));
    assert.equal(client.authMode?.(), 'DPoP');
    assert.equal(sim.stats('nordics').byRoute['POST /oauth2/v1/token']! - before, 2, 'one for the nonce, one for the token');
  });
});
