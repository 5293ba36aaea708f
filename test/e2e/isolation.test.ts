/**
 * Failure isolation, end to end: a Spoke that can't be read (its URL refuses connections, or its
 * token is revoked) is an error for that Spoke only; the others are still read, planned and
 * printed, and the run exits 1. A refused connection is retried once at most, and the message
 * names the URL and the variable it came from. A Hub read token that fails costs only the
 * Hub-side checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSim } from '../../src/sim/index.js';
import { closedPort } from '../okta/servers.js';
import { cliEnv, findLeaks, runCli } from './cli.js';

test('one dead Spoke beside a live one: the live one is planned and printed, the dead one is an error naming its URL variable; exit 1', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  try {
    const port = await closedPort();
    const env = { ...cliEnv(sim), OKTA_APAC_URL: `http://127.0.0.1:${port}` };
    const r = await runCli(['plan', '--debug'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    // emea is planned as usual.
    assert.match(r.stdout, /Spoke emea \(/);
    assert.match(r.stdout, /\+ assignment\.user\["alice@acme\.com"\]/);
    // apac is an error that says what to fix.
    assert.match(
      r.stdout,
      new RegExp(
        `error: could not read the apac Spoke, so it is not planned: .*http://127\\.0\\.0\\.1:${port} refused the connection: check spokes\\[1\\]\\.url \\(\\$\\{OKTA_APAC_URL\\}\\)`,
      ),
    );
    // A refused connection is tried twice at most, and once the org is known unreachable its other reads don't try at all.
    const attempts = r.stderr.split('\n').filter((l) => /\[org2org\] apac .* -> ECONNREFUSED/.test(l)).length;
    assert.ok(attempts >= 1 && attempts <= 6, `${attempts} connection attempts to the dead Spoke:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /retry.*ECONNREFUSED.*\n.*retry.*ECONNREFUSED.*\n.*retry.*ECONNREFUSED/);
    assert.deepEqual(findLeaks(sim, r.stdout + r.stderr), []);

    // apply refuses the whole plan, writes nothing, and says how to apply the healthy Spoke.
    const apply = await runCli(['apply', '--auto-approve'], env);
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /Nothing was written\. To apply the Spokes without errors now: --spoke emea\./);
  } finally {
    await sim.close();
  }
});

test('a revoked token in one Spoke and a bad Hub read token: the other Spoke is planned; the Hub costs only its checks', async () => {
  const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
  try {
    const env = { ...cliEnv(sim), OKTA_EMEA_TOKEN: 'not-a-valid-token', OKTA_HUB_ADMIN_TOKEN: 'not-a-valid-token-either' };
    const r = await runCli(['plan'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /error: could not read the emea Spoke, so it is not planned: .*401.*OKTA_EMEA_TOKEN/);
    assert.match(r.stdout, /Spoke apac \(/);
    assert.match(r.stdout, /\+ app \(Acme Hub\)/);
    assert.match(r.stdout, /warning: the Hub could not be read, so Hub-side checks are skipped: .*OKTA_HUB_ADMIN_TOKEN/);

    // With only the Hub token bad, emea's plan stands with the warning; apac's OAuth connection,
    // whose Hub service app org2org manages, can't be planned without the Hub: an error of apac's.
    const hubOnly = await runCli(['plan'], { ...cliEnv(sim), OKTA_HUB_ADMIN_TOKEN: 'not-a-valid-token-either' });
    assert.equal(hubOnly.code, 1, hubOnly.stdout + hubOnly.stderr);
    assert.match(hubOnly.stdout, /warning: the Hub could not be read/);
    assert.match(hubOnly.stdout, /Spoke emea \([^)]*\)\n(?: {2}.*\n)* {2}[+~] /, 'emea is planned');
    assert.match(hubOnly.stdout, /error: the Hub's service app for apac was not read/);
  } finally {
    await sim.close();
  }
});
