/** A 10,000-assignment config validates in well under a second (the time is printed, not asserted). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { renderMultiSpokeConfig } from '../../scripts/gen-multi-spoke.js';
import { loadText } from './helpers.js';

test('10,000 assignments', async () => {
  const text = renderMultiSpokeConfig(10_000, ['emea', 'apac', 'amer', 'latam', 'anz']);
  await loadText('version: 1\n'); // module loading and schema compilation are not part of the figure
  // The first run includes V8 warming up the yaml parser (what one CLI invocation pays); the second is steady state.
  for (const run of ['first run', 'second run']) {
    const started = performance.now();
    const outcome = await loadText(text);
    const elapsed = performance.now() - started;
    assert.ok(outcome.ok);
    const users = outcome.result.desired.spokes.reduce((n, s) => n + s.assignments.users.length, 0);
    assert.equal(users, 10_000);
    console.log(`validated ${users} assignments (${(text.length / 1024).toFixed(0)} KB), ${run}: ${elapsed.toFixed(0)} ms`);
  }
});

test('10,000 assignments with one duplicate: found at its exact line', async () => {
  const text = renderMultiSpokeConfig(10_000, ['emea']).replace('user09999.emea@acme.com', 'USER00000.emea@acme.com');
  const outcome = await loadText(text);
  assert.equal(outcome.ok, false);
  const line = text.split('\n').findIndex((l) => l.includes('USER00000')) + 1;
  assert.deepEqual(!outcome.ok && outcome.problems.filter((p) => p.severity === 'error').map((p) => [p.line, p.message]), [
    [
      line,
      'login "USER00000.emea@acme.com" is already assigned in users[0] of spoke "emea" (logins compare case-insensitively) — remove one',
    ],
  ]);
});
