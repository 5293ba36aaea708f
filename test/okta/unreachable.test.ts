/**
 * An org that can't be reached fails fast: a refused connection is retried once, a host DNS
 * doesn't know is not retried, and once an org is known unreachable its other requests fail at
 * once. The message names the URL and the config field and variable it came from.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../../src/credentials.js';
import { createOktaClient, OktaApiError } from '../../src/okta/client.js';
import { adviceFor } from '../../src/okta/errors.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { closedPort } from './servers.js';

test('a refused connection: one retry, then every request of that org fails at once, naming the URL variable', async () => {
  const port = await closedPort();
  const events: ClientEvent[] = [];
  const client = createOktaClient({
    org: 'apac',
    baseUrl: `http://127.0.0.1:${port}`,
    urlSource: 'spokes[1].url (${OKTA_APAC_URL})',
    auth: { kind: 'token', token: new Secret('OKTA_APAC_TOKEN', 'fake') },
    retryBaseMs: 1,
    onEvent: (e) => events.push(e),
  });
  const first = await client.get('/api/v1/apps').catch((e: unknown) => e);
  assert.ok(first instanceof OktaApiError);
  assert.match(first.message, /no answer \(ECONNREFUSED\)/);
  assert.match(
    first.message,
    new RegExp(`http://127\\.0\\.0\\.1:${port} refused the connection: check spokes\\[1\\]\\.url \\(\\$\\{OKTA_APAC_URL\\}\\)`),
  );
  assert.equal(events.filter((e) => e.type === 'request').length, 2, 'sent, then retried once');
  const second = await client.get('/api/v1/groups').catch((e: unknown) => e);
  assert.ok(second instanceof OktaApiError);
  assert.equal(events.filter((e) => e.type === 'request').length, 2, 'the org is known unreachable: nothing more is sent');
});

test('DNS failures name the host and the variable that gave it', () => {
  const details = {
    org: 'emea',
    method: 'GET' as const,
    path: '/api/v1/apps',
    status: 0,
    causes: [],
    bucket: 'apps',
    networkCause: 'ENOTFOUND',
  };
  const auth = { kind: 'token' as const, token: new Secret('OKTA_EMEA_TOKEN', 'x') };
  assert.equal(
    adviceFor(details, auth, 'https://acme-emae.okta.com', 'spokes[0].url (${OKTA_EMEA_URL})'),
    'DNS knows no host acme-emae.okta.com: check spokes[0].url (${OKTA_EMEA_URL}) (a typo?).',
  );
  assert.equal(
    adviceFor(details, auth, 'https://acme-emae.okta.com'),
    "DNS knows no host acme-emae.okta.com: check emea's URL in the config (a typo?).",
  );
});
