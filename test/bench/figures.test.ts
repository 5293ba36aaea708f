import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callsByBucket,
  minutesAcrossOrgs,
  minutesAtLimits,
  perResourceCalls,
  rateLimitFloorWindows,
  totalCalls,
  usedBeforeFirstWindow,
  windowUse,
} from '../../bench/figures.js';
import { split, applyShape } from '../../bench/scenarios.js';

test('calls are put in the bucket Okta counts them in', () => {
  const calls = callsByBucket({
    total: 9,
    status429: 0,
    peakInFlight: 1,
    byRoute: {
      'GET /api/v1/apps/{appId}/users': 4,
      'GET /api/v1/apps/{appId}': 1,
      'GET /api/v1/users': 2,
      'GET /api/v1/groups/{groupId}/users': 2,
    },
  });
  assert.deepEqual(calls, { apps: 4, app: 1, users: 2, group: 2 });
});

test('minutes at the limits: the slowest bucket of the slowest org decides', () => {
  // apps: 100/min at 50 % → 50 a minute; users: 600/min → 300 a minute.
  assert.equal(minutesAtLimits({ apps: 100, users: 300 }, 0.5), 2);
  assert.equal(minutesAtLimits({ apps: 10, users: 900 }, 0.5), 3);
  assert.equal(minutesAcrossOrgs({ a: { apps: 50 }, b: { apps: 150 } }, 0.5), 3);
});

test('rate-limit floor: whole windows to wait through, the slowest bucket of any org deciding', () => {
  // users: 600/min at 50 % → 300 a window; 1,000 calls need 4 windows, 3 of them waited for.
  assert.equal(rateLimitFloorWindows({ hub: { users: 1000, group: 500 }, emea: { apps: 40 } }, 0.5), 3);
  assert.equal(rateLimitFloorWindows({ emea: { apps: 50 } }, 0.5), 0);
  assert.equal(rateLimitFloorWindows({ emea: { apps: 51 } }, 0.5), 1);
});

test('the per-resource reader spends 2 GETs per assigned user and 1 per push mapping', () => {
  const calls = perResourceCalls([
    { name: 'emea', assigned: 1000, pushed: 10 },
    { name: 'apac', assigned: 500, pushed: 0 },
  ]);
  assert.equal(totalCalls(calls), 2 * 1500 + 10);
  // emea's apps bucket: 1,010 calls at 50 a minute.
  assert.equal(minutesAcrossOrgs(calls, 0.5), 1010 / 50);
});

test('window use counts idle windows between the first and the last', () => {
  assert.deepEqual(windowUse({ '100': 50, '101': 50, '102': 50 }, 100, 0.5, 1), {
    requests: 150,
    windows: 3,
    allowedPerWindow: 50,
    usedBefore: 0,
    share: 1,
  });
  const gap = windowUse({ '100': 50, '103': 50 }, 100, 0.5, 1);
  assert.equal(gap.windows, 4);
  assert.equal(gap.share, 0.5);
});

test('reads earlier in the first window are not counted against the apply', () => {
  // The server had 7 calls of the run's reads in window 100, then 43 answers of the apply (Remaining 50 at the end).
  const used = usedBeforeFirstWindow({ '100': 43, '101': 50 }, { '100': 50, '101': 50 }, 100);
  assert.equal(used, 7);
  assert.equal(windowUse({ '100': 43, '101': 50 }, 100, 0.5, 1, used).share, 1);
});

test('scenario totals split evenly across spokes; apply changes split 80/10/10', () => {
  assert.deepEqual(split(50_000, 3), [16_667, 16_667, 16_666]);
  assert.deepEqual(applyShape(1000), { creates: 800, updates: 100, deletes: 100 });
});
