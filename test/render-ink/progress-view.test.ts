import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { cleanup, render } from 'ink-testing-library';
import { createProgressStore, type ProgressStore } from '../../src/render/ink/progress-store.js';
import { MAX_RUNNING_ROWS, ProgressView } from '../../src/render/ink/progress-view.js';
import { change } from '../builders/plan.js';
import { ANSI_PATTERN, clock, eventually, outcome, result } from './builders.js';

// The test clock starts on a multiple of the spinner's frame time: every spinner shows its first frame.
const SPIN = '⠋';
const SPINNERS = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

interface View {
  /** The frame once it satisfies `ok` (React commits store updates in a later turn). */
  frame: (ok: (frame: string) => boolean) => Promise<string>;
  /** Asserts that the view comes to show exactly `expected`, and returns it. */
  expect: (expected: string) => Promise<string>;
  /** Re-render without an event, as the view's timer does (countdowns). */
  redraw: () => void;
}

function mount(store: ProgressStore, color = false): View {
  const element = (): React.ReactElement => React.createElement(ProgressView, { store, color, tickMs: 0 });
  const app = render(element());
  return {
    frame: (ok) => eventually(() => app.lastFrame() ?? '', ok),
    expect: async (expected) => {
      const frame = await eventually(
        () => app.lastFrame() ?? '',
        (f) => f === expected,
      );
      assert.equal(frame, expected);
      return frame;
    },
    redraw: () => app.rerender(element()),
  };
}

const has = (pattern: RegExp) => (frame: string) => pattern.test(frame);

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

afterEach(() => cleanup());

describe('Ink progress view', () => {
  it('shows reads per org with counts, and a spinner per collection still being read', async () => {
    const store = createProgressStore(clock().now);
    const view = mount(store);
    store.read({ type: 'read-start', org: 'emea', collection: 'apps' });
    store.read({ type: 'read-done', org: 'emea', collection: 'apps', count: 1, ms: 20 });
    store.read({ type: 'read-start', org: 'emea', collection: 'app users' });
    store.read({ type: 'read-progress', org: 'emea', collection: 'app users', count: 1500 });
    store.read({ type: 'read-start', org: 'hub', collection: 'users' });
    await view.expect(
      [
        `${SPIN} emea  1,501 objects · 1 of 2 collections`,
        `    ${SPIN} app users 1,500`,
        `${SPIN} hub   0 objects · 0 of 1 collection`,
        `    ${SPIN} users`,
      ].join('\n'),
    );

    store.read({ type: 'read-done', org: 'emea', collection: 'app users', count: 1834, ms: 900 });
    store.read({ type: 'read-done', org: 'hub', collection: 'users', count: 1, ms: 900 });
    await view.expect(['✓ emea  1,835 objects in 2 collections', '✓ hub   1 object in 1 collection'].join('\n'));
  });

  it('keeps finished changes in <Static> rows, once each, with the running ones and the count below', async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    store.read({ type: 'read-done', org: 'emea', collection: 'apps', count: 1, ms: 20 });
    const app = change('emea', 'app', 'Acme Hub');
    const alice = change('emea', 'assignment.user', 'alice@acme.com');
    const group = change('emea', 'assignment.group', 'EMEA Sales', 'delete');
    const push = change('emea', 'pushMapping', 'Engineering');
    store.apply({ type: 'apply-start', total: 4 });
    for (const c of [app, alice, group]) store.apply({ type: 'change-start', change: c });
    store.client({ type: 'response', org: 'emea', method: 'POST', path: '/api/v1/apps', status: 200, ms: 300, bucket: 'apps' });
    store.apply({ type: 'change-done', change: app, ms: 300 });
    t.advance(1600);
    store.apply({ type: 'change-failed', change: alice, message: 'Okta answered 400: bad profile' });
    store.apply({ type: 'change-skipped', change: push, reason: 'depends on a failed change' });
    const frame = await view.expect(
      [
        // Reads closed when writes began: their totals moved up, above the rows.
        'read emea: 1 object in 1 collection',
        '✓ created spoke.emea.app["Acme Hub"] (300 ms)',
        '✗ failed  spoke.emea.assignment.user["alice@acme.com"]: Okta answered 400: bad profile',
        '↷ skipped spoke.emea.pushMapping["Engineering"]: depends on a failed change',
        `${SPIN} Applying: 3 of 4 changes · 1 failed · 1 skipped · 1 s (1 request)`,
        `  ${SPIN} deleting spoke.emea.assignment.group["EMEA Sales"]`,
      ].join('\n'),
    );
    for (const row of ['Acme Hub', 'alice@acme.com', 'Engineering']) assert.equal(occurrences(frame, row), 1, row);
  });

  it(`shows at most ${MAX_RUNNING_ROWS} running changes and counts the rest`, async () => {
    const store = createProgressStore(clock().now);
    const view = mount(store);
    store.apply({ type: 'apply-start', total: 9 });
    for (let i = 1; i <= 9; i++) {
      store.apply({ type: 'change-start', change: change('apac', 'assignment.user', `u${i}@acme.com`) });
      store.client({ type: 'request', org: 'apac', method: 'POST', path: '/api/v1/apps/0oa1/users', bucket: 'apps' });
    }
    const lines = (await view.frame(has(/more in flight/))).split('\n');
    assert.equal(lines.filter((l) => l.includes('creating')).length, MAX_RUNNING_ROWS);
    assert.equal(lines.at(-1), '    … and 3 more in flight');
  });

  it('says queued, not in flight, for started changes whose requests wait for the rate limit', async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    store.apply({ type: 'apply-start', total: 30 });
    for (let i = 1; i <= 30; i++) store.apply({ type: 'change-start', change: change('apac', 'assignment.user', `u${i}@acme.com`) });
    for (let i = 0; i < 4; i++)
      store.client({ type: 'request', org: 'apac', method: 'POST', path: '/api/v1/apps/0oa1/users', bucket: 'apps' });
    store.client({ type: 'response', org: 'apac', method: 'POST', path: '/api/v1/apps/0oa1/users', status: 200, ms: 5, bucket: 'apps' });
    store.client({ type: 'rate-limit-wait', org: 'apac', bucket: 'apps', until: t.now() + 31_000, reason: '429' });
    const frame = await view.frame(has(/queued/));
    assert.match(frame, /^ {4}… and 24 more started: 3 requests in flight, the rest queued for the rate limit$/m);
    assert.doesNotMatch(frame, /in flight$/m);
  });

  it('leaves no wait line behind once stopped (Ctrl-C during a rate-limit wait)', async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    store.apply({ type: 'apply-start', total: 1 });
    store.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: t.now() + 31_000, reason: '429' });
    assert.match(await view.frame(has(/waiting 31 s/)), /waiting 31 s/);
    store.apply({ type: 'apply-end', result: result([]) });
    store.stop();
    const frame = await view.frame((f) => f.includes('Apply complete'));
    assert.doesNotMatch(frame, /waiting/);
  });

  it('shows a rate-limit wait counting down, and drops it once the reset has passed', async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    store.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: t.now() + 12_000, reason: '429' });
    // The same wait again (from apply): still one line.
    store.apply({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: t.now() + 12_000, reason: '429' });
    await view.expect(`${SPIN} waiting 12 s for Okta's rate-limit reset (apps bucket, emea)`);
    t.advance(4500);
    view.redraw();
    const eightLeft = /^. waiting 8 s for Okta's rate-limit reset \(apps bucket, emea\)$/;
    assert.match(await view.frame(has(eightLeft)), eightLeft);
    t.advance(7600);
    view.redraw();
    await view.expect('');
  });

  it('leaves out short concurrency back-offs', async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    store.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: t.now() + 400, reason: 'concurrency' });
    store.apply({ type: 'rate-limit-wait', org: 'emea', bucket: 'users', until: t.now() + 300, reason: 'concurrency' });
    // A later event that shows: once it does, the waits before it were drawn (or left out).
    store.message('marker');
    await view.expect('marker\n');
  });

  it('ends on the summary, with no spinner left once stopped', async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    const app = change('emea', 'app', 'Acme Hub');
    const bob = change('emea', 'assignment.user', 'bob@acme.com');
    store.apply({ type: 'apply-start', total: 2 });
    store.apply({ type: 'change-start', change: app });
    store.apply({ type: 'change-start', change: bob });
    store.apply({ type: 'change-done', change: app, ms: 80 });
    store.apply({ type: 'change-failed', change: bob, message: 'Okta answered 500' });
    t.advance(3000);
    store.apply({ type: 'apply-end', result: result([outcome(app, 'applied'), outcome(bob, 'failed', 'Okta answered 500')]) });
    store.apply({ type: 'wait-progress', message: 'provisioning: 0 of 1 settled', done: 0, total: 1 });
    assert.match(await view.frame(has(/provisioning/)), /provisioning: 0 of 1 settled/);
    store.stop();
    const frame = await view.expect(
      [
        '✓ created spoke.emea.app["Acme Hub"] (80 ms)',
        '✗ failed  spoke.emea.assignment.user["bob@acme.com"]: Okta answered 500',
        'Apply finished with errors: 1 applied, 1 failed, 0 skipped in 3.0 s.',
        '  ✗ spoke.emea.assignment.user["bob@acme.com"]: Okta answered 500',
        // --wait follows below the apply's summary.
        'provisioning: 0 of 1 settled',
      ].join('\n'),
    );
    assert.doesNotMatch(frame, SPINNERS);
    assert.doesNotMatch(frame, /Applying/);
  });

  it("adds the Hub check when apply ends again after --wait, keeping the apply's own time", async () => {
    const t = clock();
    const store = createProgressStore(t.now);
    const view = mount(store);
    const alice = change('emea', 'assignment.user', 'alice@acme.com');
    const done = result([outcome(alice, 'applied')]);
    store.apply({ type: 'apply-start', total: 1 });
    t.advance(1000);
    store.apply({ type: 'apply-end', result: done });
    t.advance(30_000);
    store.apply({
      type: 'apply-end',
      result: { ...done, verification: [{ kind: 'user', spoke: 'emea', name: 'alice@acme.com', ok: true, detail: 'ACTIVE' }] },
    });
    store.stop();
    await view.expect(['Apply complete: 1 applied, 0 failed, 0 skipped in 1.0 s.', '✓ Hub: 1 of 1 user as expected.'].join('\n'));
  });

  it('shows messages above the live area', async () => {
    const store = createProgressStore(clock().now);
    const view = mount(store);
    store.read({ type: 'read-start', org: 'emea', collection: 'apps' });
    store.message('emea: reading with a read-only token');
    await view.expect(
      ['emea: reading with a read-only token', `${SPIN} emea  0 objects · 0 of 1 collection`, `    ${SPIN} apps`].join('\n'),
    );
  });

  it('colours only when asked', async () => {
    const draw = async (color: boolean): Promise<string> => {
      const store = createProgressStore(clock().now);
      const view = mount(store, color);
      const c = change('emea', 'app', 'Acme Hub');
      store.apply({ type: 'apply-start', total: 2 });
      store.apply({ type: 'change-done', change: c, ms: 1 });
      store.apply({ type: 'change-failed', change: c, message: 'x' });
      return await view.frame(has(/failed/));
    };
    assert.ok((await draw(true)).includes('\x1b[32m✓\x1b[39m'), 'green tick');
    assert.doesNotMatch(await draw(false), ANSI_PATTERN);
  });
});
