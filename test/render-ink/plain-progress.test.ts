import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress, confirmApply } from '../../src/render/progress.js';
import { detectTerminal } from '../../src/render/terminal.js';
import { change } from '../builders/plan.js';
import { ANSI_PATTERN, clock, outcome, result } from './builders.js';
import { addressOf } from '../../src/plan/address.js';

function capture(): { stream: NodeJS.WriteStream; text: () => string; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text, lines: () => text.split('\n').slice(0, -1) };
}

const plain = { interactive: false, color: false };

describe('plain progress (not a terminal)', () => {
  it('writes one line per finished read collection, nothing for starts and pages', () => {
    const out = capture();
    const progress = createProgress(plain, { stream: out.stream });
    progress.read({ type: 'read-start', org: 'emea', collection: 'app users' });
    progress.read({ type: 'read-progress', org: 'emea', collection: 'app users', count: 500 });
    progress.read({ type: 'read-progress', org: 'emea', collection: 'app users', count: 1000 });
    progress.read({ type: 'read-done', org: 'emea', collection: 'app users', count: 1234, ms: 812 });
    progress.read({ type: 'read-done', org: 'hub', collection: 'groups', count: 3, ms: 1500 });
    assert.deepEqual(out.lines(), ['read emea app users: 1,234 (812 ms)', 'read hub groups: 3 (1.5 s)']);
  });

  it('writes exact lines for an apply: start, each finished change, the summary; no ANSI', async () => {
    const out = capture();
    const t = clock();
    const progress = createProgress(plain, { stream: out.stream, now: t.now });
    const app = change('emea', 'app', 'Acme Hub');
    const alice = change('emea', 'assignment.user', 'alice@acme.com');
    const bob = change('emea', 'assignment.user', 'bob@acme.com', 'delete');
    const push = change('emea', 'pushMapping', 'Engineering');
    progress.apply({ type: 'apply-start', total: 4 });
    for (const c of [app, alice, bob, push]) progress.apply({ type: 'change-start', change: c });
    progress.apply({ type: 'change-done', change: app, ms: 420 });
    progress.apply({ type: 'change-failed', change: alice, message: 'Okta answered 500\n(E0000009)' });
    progress.apply({ type: 'change-done', change: bob, ms: 35 });
    progress.apply({ type: 'change-skipped', change: push, reason: `depends on ${addressOf(alice)}, which failed` });
    t.advance(2500);
    progress.apply({
      type: 'apply-end',
      result: result([
        outcome(app, 'applied'),
        outcome(alice, 'failed', 'Okta answered 500\n(E0000009)'),
        outcome(bob, 'applied'),
        outcome(push, 'skipped'),
      ]),
    });
    await progress.stop();
    assert.deepEqual(out.lines(), [
      'Applying 4 changes…',
      '✓ created spoke.emea.app["Acme Hub"] (420 ms)',
      '✗ failed  spoke.emea.assignment.user["alice@acme.com"]: Okta answered 500 (E0000009)',
      '✓ deleted spoke.emea.assignment.user["bob@acme.com"] (35 ms)',
      '↷ skipped spoke.emea.pushMapping["Engineering"]: depends on spoke.emea.assignment.user["alice@acme.com"], which failed',
      'Apply finished with errors: 2 applied, 1 failed, 1 skipped in 2.5 s.',
      '  ✗ spoke.emea.assignment.user["alice@acme.com"]: Okta answered 500 (E0000009)',
    ]);
    assert.doesNotMatch(out.text(), ANSI_PATTERN);
  });

  it('says "Apply complete" without failures', () => {
    const out = capture();
    const progress = createProgress(plain, { stream: out.stream, now: clock().now });
    const a = change('apac', 'features.toApp', 'USER_PROVISIONING', 'update');
    const b = change('apac', 'connection', 'default', 'update');
    progress.apply({ type: 'apply-start', total: 2 });
    progress.apply({ type: 'apply-end', result: result([outcome(a, 'applied'), outcome(b, 'applied')]) });
    assert.deepEqual(out.lines(), ['Applying 2 changes…', 'Apply complete: 2 applied, 0 failed, 0 skipped in 0 ms.']);
  });

  it('writes one line per rate-limit wait, however often it is reported, and a new one for the next wait', () => {
    const out = capture();
    const t = clock();
    const progress = createProgress(plain, { stream: out.stream, now: t.now });
    const until = t.now() + 12_000;
    // The same wait, from the client and from apply (a command may forward both), then again as the scheduler re-checks.
    progress.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until, reason: '429' });
    progress.apply({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until, reason: '429' });
    t.advance(1000);
    progress.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: until + 400, reason: 'budget' });
    // Another org's bucket is a wait of its own.
    progress.client({ type: 'rate-limit-wait', org: 'apac', bucket: 'users', until: t.now() + 3000, reason: 'budget' });
    // Once the reset has passed, the next wait on emea/apps is news again.
    t.advance(12_000);
    progress.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: t.now() + 5000, reason: 'budget' });
    assert.deepEqual(out.lines(), [
      "waiting 12 s for Okta's rate-limit reset (apps bucket, emea)",
      "waiting 3 s for Okta's rate-limit reset (users bucket, apac)",
      "waiting 5 s for Okta's rate-limit reset (apps bucket, emea)",
    ]);
  });

  it('writes no line for concurrency back-offs nor for waits under a second', () => {
    const out = capture();
    const t = clock();
    const progress = createProgress(plain, { stream: out.stream, now: t.now });
    progress.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'apps', until: t.now() + 4000, reason: 'concurrency' });
    progress.apply({ type: 'rate-limit-wait', org: 'emea', bucket: 'users', until: t.now() + 4000, reason: 'concurrency' });
    progress.client({ type: 'rate-limit-wait', org: 'emea', bucket: 'groups', until: t.now() + 300, reason: 'budget' });
    assert.deepEqual(out.lines(), []);
  });

  it('writes retries other than 429s (those show as waits)', () => {
    const out = capture();
    const progress = createProgress(plain, { stream: out.stream });
    progress.client({
      type: 'retry',
      org: 'emea',
      method: 'GET',
      path: '/api/v1/apps',
      attempt: 1,
      reason: 'rate limit (429)',
      delayMs: 5000,
      rateLimit: '429',
    });
    progress.client({
      type: 'retry',
      org: 'emea',
      method: 'POST',
      path: '/api/v1/apps/0oa1/users',
      attempt: 2,
      reason: 'HTTP 503',
      delayMs: 500,
    });
    progress.client({ type: 'request', org: 'emea', method: 'GET', path: '/api/v1/apps', bucket: 'apps' });
    progress.client({ type: 'response', org: 'emea', method: 'GET', path: '/api/v1/apps', bucket: 'apps', status: 200, ms: 40 });
    assert.deepEqual(out.lines(), ['retrying POST /api/v1/apps/0oa1/users on emea in 500 ms (attempt 2): HTTP 503']);
  });

  it('writes --wait progress at each new phase, at the end and every 10 s, not at every poll', () => {
    const out = capture();
    const t = clock();
    const progress = createProgress(plain, { stream: out.stream, now: t.now });
    const poll = (done: number): void =>
      progress.apply({ type: 'wait-progress', message: `provisioning: ${done} of 40 settled`, done, total: 40 });
    poll(0);
    t.advance(2000);
    poll(5);
    t.advance(2000);
    poll(9);
    t.advance(6000);
    poll(20);
    t.advance(1000);
    poll(40);
    progress.apply({ type: 'wait-progress', message: 'reading the Hub', done: 40, total: 40 });
    progress.apply({ type: 'wait-progress', message: 'reading the Hub', done: 40, total: 40 });
    assert.deepEqual(out.lines(), [
      'provisioning: 0 of 40 settled',
      'provisioning: 20 of 40 settled',
      'provisioning: 40 of 40 settled',
      'reading the Hub',
    ]);
  });

  it('adds what the Hub showed when apply ends again after --wait', () => {
    const out = capture();
    const progress = createProgress(plain, { stream: out.stream, now: clock().now });
    const alice = change('emea', 'assignment.user', 'alice@acme.com');
    const base = result([outcome(alice, 'applied')]);
    progress.apply({ type: 'apply-start', total: 1 });
    progress.apply({ type: 'apply-end', result: base });
    progress.apply({
      type: 'apply-end',
      result: {
        ...base,
        verification: [
          { kind: 'user', spoke: 'emea', name: 'alice@acme.com', ok: true, detail: 'ACTIVE as asked by active_with_pass' },
          { kind: 'user', spoke: 'emea', name: 'bob@acme.com', ok: false, detail: 'not in the Hub' },
          { kind: 'group', spoke: 'emea', name: 'Engineering', ok: true, detail: '2 members' },
        ],
      },
    });
    assert.deepEqual(out.lines(), [
      'Applying 1 change…',
      'Apply complete: 1 applied, 0 failed, 0 skipped in 0 ms.',
      '✗ Hub: 1 of 2 users and 1 of 1 pushed group as expected.',
      '  ✗ user bob@acme.com (emea): not in the Hub',
    ]);
  });

  it('passes messages through as lines', () => {
    const out = capture();
    const progress = createProgress(plain, { stream: out.stream });
    progress.message('Plan saved to plan.json');
    assert.deepEqual(out.lines(), ['Plan saved to plan.json']);
  });

  it('colours under FORCE_COLOR when piped, and not under NO_COLOR', () => {
    const feed = (env: NodeJS.ProcessEnv): string => {
      const out = capture();
      const term = detectTerminal({ env, stdin: { isTTY: false }, stderr: { isTTY: false } });
      const progress = createProgress(term, { stream: out.stream });
      const c = change('emea', 'app', 'Acme Hub');
      progress.apply({ type: 'change-done', change: c, ms: 5 });
      progress.apply({ type: 'change-failed', change: c, message: 'boom' });
      return out.text();
    };
    const forced = feed({ FORCE_COLOR: '1' });
    assert.match(forced, ANSI_PATTERN);
    assert.ok(forced.includes('\x1b[32m✓\x1b[39m created'), forced);
    assert.ok(forced.includes('\x1b[31m✗\x1b[39m'), forced);
    assert.doesNotMatch(feed({ FORCE_COLOR: '1', NO_COLOR: '1' }), ANSI_PATTERN);
    assert.doesNotMatch(feed({}), ANSI_PATTERN);
  });
});

describe('confirmApply without a terminal', () => {
  it('refuses to ask: the command must refuse or take --auto-approve', async () => {
    await assert.rejects(confirmApply(plain, 'Apply?'), /interactive terminal/);
  });
});
