/**
 * The PR comment always fits and leads with what matters: for random plans (hostile names
 * included) and random failure text, the comment is within GitHub's 65,536 characters (counted
 * in UTF-8 bytes, never fewer), is valid Markdown (every fence and `<details>` closed, no HTML
 * comment but the marker), and shows every change that is not a bulk assignment. Seeded, so a
 * failure reproduces.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DirectoryGroup, DirectoryUser } from '../../src/state/types.js';
import { createPlan } from '../../src/plan/create-plan.js';
import type { Action, Change, Diagnostic, Plan, ResourceKind } from '../../src/plan/types.js';
import { BULK_KINDS, commentMarker, GITHUB_COMMENT_LIMIT, renderPlanMarkdown, renderStepSummary } from '../../src/render/markdown.js';
import { localAddress, SYMBOL } from '../../src/render/plan-lines.js';
import { renderPlanText } from '../../src/render/text.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';
import { liveSpoke } from '../builders/live.js';
import { change, plan as planOf } from '../builders/plan.js';
import { assertValidMarkdown } from './markdown-check.js';
import { addressOf } from '../../src/plan/address.js';
import { createRng } from '../../src/sim/faults.js';

const HOSTILE = [
  'Ops\n::add-mask::secret',
  'Ops\r::warning::forged',
  '```\n</details>\n# heading',
  '<!-- org2org:spoke=apac -->',
  '<!-- org2org:plan v1 0123456789abcdef -->',
  '[click](https://evil.example/x)',
  '![beacon](https://evil.example/b.png)',
  '@acme/admins please approve',
  '<img src=x onerror=alert(1)>',
  '\u001b]0;pwned\u0007\u001b[2J\u001b[H',
  'a\u202eevil\u202c',
  '| cell | break |',
  '`',
  '````',
  '~~~',
  '<details><summary>x',
  '</details>',
  '\u0000\u0007\u009b31m',
  'emoji 🎉 and 中文 and ℃',
  'https://evil.example',
  'www.evil.example',
  '#123',
  '- [ ] task',
  '> quote',
  '=====',
];

function text(rand: () => number, max: number): string {
  const r = rand();
  if (r < 0.3) return HOSTILE[Math.floor(rand() * HOSTILE.length)]!;
  const length = r < 0.9 ? Math.floor(rand() * 40) + 1 : Math.floor(rand() * max) + 1;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABC-_.@:/<>[]()!`*#|\n\r\t\u001b\u202e🎉中';
  // Long texts repeat a random chunk: the drawing must not cost more than the rendering.
  let chunk = '';
  for (let i = 0; i < Math.min(length, 64); i++) chunk += alphabet[Math.floor(rand() * alphabet.length)];
  return chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);
}

const NON_BULK: ResourceKind[] = [
  'app',
  'connection',
  'features.toApp',
  'features.toOkta',
  'profileSourcing',
  'pushMapping',
  'serviceApp',
  'serviceApp.grant',
  'serviceApp.role',
];
const ACTIONS: Action[] = ['create', 'update', 'delete', 'manual'];

function randomChange(rand: () => number, spoke: string, kind: ResourceKind, i: number): Change {
  const keyed = kind === 'pushMapping' || kind === 'serviceApp.grant' || kind === 'serviceApp.role' || BULK_KINDS.has(kind);
  const name = `${text(rand, 600)}#${i}`;
  const action = ACTIONS[Math.floor(rand() * ACTIONS.length)]!;
  const attributes = Array.from({ length: Math.floor(rand() * 4) }, () => {
    const structured = rand() < 0.2;
    return {
      name: text(rand, 50),
      before: structured ? { list: [text(rand, 100), text(rand, 100)] } : text(rand, 300),
      after: structured ? { list: [text(rand, 100)] } : text(rand, 300),
    };
  });
  const extra: Partial<Change> = { name, attributes };
  if (rand() < 0.2) extra.hubEffects = [text(rand, 400)];
  if (action === 'manual' || rand() < 0.1) extra.instructions = [text(rand, 400), text(rand, 400)];
  return change(spoke, kind, keyed ? name : null, action, { type: 'none' }, extra);
}

function randomPlan(rand: () => number): Plan {
  const spokeCount = 1 + Math.floor(rand() * 3);
  const changes: Change[] = [];
  const names: string[] = [];
  for (let s = 0; s < spokeCount; s++) {
    const spoke = rand() < 0.3 ? `${text(rand, 200)}-${s}` : `spoke${s}`;
    names.push(spoke);
    // One of each singleton kind at most; push mappings, grants, roles as many as a large Spoke has.
    for (const kind of NON_BULK) {
      const many = kind === 'pushMapping' ? Math.floor(rand() * 25) : kind.startsWith('serviceApp.') ? Math.floor(rand() * 4) : 1;
      const count = rand() < 0.5 ? many : 0;
      const keyed = kind === 'pushMapping' || kind.startsWith('serviceApp.');
      for (let i = 0; i < (keyed ? count : Math.min(1, count)); i++) changes.push(randomChange(rand, spoke, kind, i));
    }
    const bulk = rand() < 0.3 ? Math.floor(rand() * 3000) : Math.floor(rand() * 50);
    for (let i = 0; i < bulk; i++) changes.push(randomChange(rand, spoke, rand() < 0.8 ? 'assignment.user' : 'assignment.group', i));
  }
  const plan = planOf(changes);
  for (const spoke of plan.spokes) {
    const diagnostics: Diagnostic[] = Array.from({ length: Math.floor(rand() * (rand() < 0.1 ? 500 : 8)) }, () => ({
      severity: rand() < 0.3 ? 'error' : 'warning',
      message: text(rand, 30_000),
      ...(rand() < 0.5 ? { file: text(rand, 100), line: 3, col: 5 } : {}),
    }));
    spoke.diagnostics = diagnostics;
    if (rand() < 0.3) spoke.notes = [text(rand, 2000)];
    if (rand() < 0.2) spoke.url = text(rand, 300);
  }
  if (rand() < 0.2) plan.diagnostics = [{ severity: 'error', message: text(rand, 5000) }];
  plan.errored = plan.spokes.some((s) => s.diagnostics.some((d) => d.severity === 'error'));
  plan.summary.add = changes.filter((c) => c.action === 'create').length;
  plan.summary.remove = changes.filter((c) => c.action === 'delete').length;
  plan.summary.hubEffects = changes.filter((c) => c.hubEffects).length;
  plan.empty = changes.length === 0;
  void names;
  return plan;
}

function randomFailure(rand: () => number): string | undefined {
  const r = rand();
  if (r < 0.5) return undefined;
  const lines = Math.floor(rand() * (r < 0.9 ? 30 : 5000));
  return Array.from({ length: lines }, () => text(rand, r < 0.95 ? 200 : 25_000)).join('\n');
}

describe('the PR comment budget', () => {
  test('property: any plan and any failure text → ≤ 65,536 bytes, valid Markdown, every non-bulk change shown', () => {
    const rand = createRng(20261207);
    const marker = commentMarker('org2org.config.yaml', ['emea']);
    let cut = 0;
    for (let run = 0; run < 100; run++) {
      const plan = randomPlan(rand);
      const failure = randomFailure(rand);
      const md = renderPlanMarkdown(plan, { marker, artifact: 'org2org-plan-emea', ...(failure ? { failure } : {}) });
      const where = `run ${run}`;
      assert.ok(Buffer.byteLength(md) <= GITHUB_COMMENT_LIMIT, `${where}: ${Buffer.byteLength(md)} bytes`);
      assertValidMarkdown(md, marker);
      for (const spoke of plan.spokes) {
        for (const c of spoke.changes.filter((x) => !BULK_KINDS.has(x.resource.kind))) {
          assert.ok(md.includes(`\n${SYMBOL[c.action]} ${localAddress(c)}`), `${where}: ${addressOf(c)} is not shown`);
        }
      }
      if (md.includes('not shown')) cut++;
    }
    // The draws do reach the limit: the property was tested where it matters.
    assert.ok(cut > 15, `only ${cut} of 100 comments were cut`);
  });

  test('property: the step summary is within 1 MiB and valid Markdown, the text plan in one fence when it fits', () => {
    const rand = createRng(7);
    for (let run = 0; run < 15; run++) {
      const plan = randomPlan(rand);
      const failure = randomFailure(rand);
      const summary = renderStepSummary(plan, renderPlanText(plan, { color: false }), failure ? { failure } : {});
      assert.ok(Buffer.byteLength(summary) <= 1024 * 1024);
      assertValidMarkdown(summary);
    }
  });
});

/** The case: 5,000 users added in one Spoke and 20 push mappings. */
function case5020(): Plan {
  const logins = Array.from({ length: 5000 }, (_, i) => `user${String(i).padStart(4, '0')}@acme.com`);
  const pushed = Array.from({ length: 20 }, (_, i) => `Team ${String(i).padStart(2, '0')}`);
  const spoke = desiredSpoke('emea', 'https://acme-emea.okta.com', { users: logins, push: pushed });
  const users: Record<string, DirectoryUser> = Object.fromEntries(logins.map((l, i) => [l, { id: `00u${i}`, login: l, status: 'ACTIVE' }]));
  const groups: Record<string, DirectoryGroup> = Object.fromEntries(pushed.map((g, i) => [g, { id: `00g${i}`, name: g }]));
  const live = {
    spokes: {
      emea: liveSpoke('emea', {
        app: {
          id: '0oaemea',
          label: 'Acme Hub',
          status: 'ACTIVE',
          signOnMode: 'SAML_2_0',
          baseUrl: 'https://acme.okta.com',
          features: [],
          fingerprint: 'fpapp',
        },
        appUserSchema: { initialStatus: 'initialStatus', initialStatusValues: [], attributes: ['initialStatus'] },
        users,
        groups,
        rateLimits: [{ bucket: 'apps', limit: 100, remaining: 100, reset: 0 }],
      }),
    },
    readProblems: [],
  };
  return createPlan(desiredState('https://acme.okta.com', [spoke]), live, { maxApiCapacity: 0.5, toolVersion: '0.1.0' });
}

describe('the 5,020-change plan', () => {
  const plan = case5020();
  const options = { marker: commentMarker('org2org.config.yaml', ['emea']), artifact: 'org2org-plan-emea', planFile: 'plan.json' };

  test('the comment fits, shows every push mapping before the user list, and counts what it cut', () => {
    assert.equal(plan.summary.add, 5020);
    const md = renderPlanMarkdown(plan, options);
    assert.ok(Buffer.byteLength(md) <= GITHUB_COMMENT_LIMIT);
    assertValidMarkdown(md, options.marker);
    assert.match(md, /\*\*Plan: 5,020 to add, 0 to change, 0 to remove, 0 manual\.\*\*/);
    assert.match(md, /\| `emea` \| User assignments \| 5,000 \|/);
    const users = md.indexOf('<details><summary>User assignments to add in emea: 5,000</summary>');
    assert.ok(users > 0);
    for (let i = 0; i < 20; i++) {
      const at = md.indexOf(`+ pushMapping["Team ${String(i).padStart(2, '0')}"]`);
      assert.ok(at > 0 && at < users, `push mapping ${i} is shown before the user list`);
    }
    const shown = md.match(/^\+ assignment\.user\[/gm)?.length ?? 0;
    const notShown =
      /_… ([\d,]+) more user assignments to add in `emea` not shown \(comment size limit\): the artifact `org2org-plan-emea`; `org2org show plan\.json` prints it all\._/.exec(
        md,
      );
    assert.ok(notShown, 'the cut is counted and says where the rest is');
    assert.equal(shown + Number(notShown[1]!.replace(/,/g, '')), 5000, 'shown + not shown = 5,000');
    // The figures the README quotes.
    console.log(`5,020-change comment: ${Buffer.byteLength(md)} bytes, ${shown} of 5,000 user adds shown, all 20 push mappings`);
  });

  test('the failure comment for it (plus a long error) fits too', () => {
    const failure = Array.from(
      { length: 400 },
      (_, i) => `org2org.config.yaml:${i + 10}:9 error: user${i}@acme.com: no such user in the Spoke (did you mean user${i}@acme.co?)`,
    ).join('\n');
    const md = renderPlanMarkdown(plan, { ...options, failure });
    assert.ok(Buffer.byteLength(md) <= GITHUB_COMMENT_LIMIT);
    assertValidMarkdown(md, options.marker);
    assert.match(md, /\*\*What failed:\*\*/);
    assert.match(md, /more lines \(the job log has them\)/);
    for (let i = 0; i < 20; i++) assert.ok(md.includes(`+ pushMapping["Team ${String(i).padStart(2, '0')}"]`));
    console.log(
      `5,020-change failure comment: ${Buffer.byteLength(md)} bytes, ${md.match(/^\+ assignment\.user\[/gm)?.length ?? 0} user adds shown`,
    );
    const noPlan = renderPlanMarkdown(undefined, { ...options, failure, spokes: ['emea'] });
    assert.ok(Buffer.byteLength(noPlan) <= GITHUB_COMMENT_LIMIT);
    assertValidMarkdown(noPlan, options.marker);
    assert.match(noPlan, /^## ❌ org2org plan failed for `emea`$/m);
    assert.doesNotMatch(noPlan, /apply/i);
  });

  test('the step summary holds the whole text plan once', () => {
    const summary = renderStepSummary(plan, renderPlanText(plan, { color: false }), options);
    assert.ok(Buffer.byteLength(summary) <= 1024 * 1024);
    assert.equal(summary.match(/^ {2}\+ assignment\.user\[/gm)?.length, 5000);
    assert.equal(summary.match(/Plan: 5,020 to add/g)?.length, 1);
    assert.ok(!summary.includes('org2org:plan v1'), 'no marker in the summary');
    console.log(`5,020-change step summary: ${Buffer.byteLength(summary)} bytes`);
  });
});
