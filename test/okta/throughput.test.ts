/**
 * The scheduler against the simulator: the apps bucket at 100/min, time-scaled ×60 (one window a
 * second), capacity 50 %. 1,000 requests must all succeed with zero 429s, within the in-flight cap,
 * with budget waits and no retries. How much of the allowed rate it reaches is printed, not
 * asserted: windows of one real second measure the machine's load as much as the scheduler (on a
 * busy machine a request sent late in one window is counted in the next). The exact property —
 * capacity × limit per window, every window — is asserted on a simulated clock in scheduler.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSeed, startSim } from '../../src/sim/index.js';
import { createOktaClient } from '../../src/okta/client.js';
import type { ClientEvent } from '../../src/okta/types.js';
import { tokenAuth } from './servers.js';

test('1,000 apps-bucket requests at 100/min and 50 %: zero 429s, in-flight ≤ cap, ≥ 90 % of the allowed rate', async () => {
  const sim = await startSim(buildSeed({ spokes: [{ name: 'emea', users: 10, assigned: 10 }] }), {
    timeScale: 60,
    rateLimits: { apps: 100 },
    latencyMs: 2,
  });
  try {
    const { url, tokens } = sim.orgs.emea!;
    const events: ClientEvent[] = [];
    const cap = 8;
    const client = createOktaClient({
      org: 'emea',
      baseUrl: url,
      auth: tokenAuth(tokens.OKTA_EMEA_TOKEN!),
      maxApiCapacity: 0.5,
      maxInFlight: cap,
      onEvent: (e) => events.push(e),
    });
    const [app] = await client.get<{ id: string }[]>('/api/v1/apps', { filter: 'name eq "okta_org2org"' });
    sim.resetStats();
    const resets = new Map<number, number>();
    const minRemaining = new Map<number, number>();
    const N = 1000;
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const res = await client.request('GET', `/api/v1/apps/${app!.id}/connections/default`, { query: { n: i } });
        const reset = Number(res.headers.get('x-rate-limit-reset'));
        resets.set(reset, (resets.get(reset) ?? 0) + 1);
        const remaining = Number(res.headers.get('x-rate-limit-remaining'));
        minRemaining.set(reset, Math.min(minRemaining.get(reset) ?? 100, remaining));
      }),
    );
    const stats = sim.stats('emea');
    assert.equal(stats.total, N);
    assert.equal(stats.status429, 0);
    assert.ok(stats.peakInFlight <= cap, `peak in-flight ${stats.peakInFlight} ≤ ${cap}`);
    const perWindow = 50;
    const mostUsed = Math.max(...[...minRemaining.values()].map((remaining) => 100 - remaining));
    const windows = Math.max(...resets.keys()) - Math.min(...resets.keys()) + 1; // windows are 1 s at ×60
    const rate = N / (windows * perWindow);
    process.stderr.write(
      `# throughput: ${N} requests over ${windows} windows of ${perWindow} allowed = ${(rate * 100).toFixed(1)} % of the allowed rate; most used in one window ${mostUsed}\n`,
    );
    assert.ok(
      events.some((e) => e.type === 'rate-limit-wait' && e.reason === 'budget' && e.bucket === 'apps'),
      'budget waits are reported',
    );
    assert.equal(events.filter((e) => e.type === 'retry').length, 0);
    const apps = client.rateLimits().find((r) => r.bucket === 'apps');
    assert.equal(apps?.limit, 100);
  } finally {
    await sim.close();
  }
});
