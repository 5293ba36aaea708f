import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import { parseAddress } from '../../src/plan/address.js';
import type { PlanFile, WrittenPlanFile } from '../../src/plan/types.js';
import { planOfFile } from '../../src/apply/saved-plan.js';
import { renderPlanJson } from '../../src/render/json.js';
import { renderPlanMarkdown } from '../../src/render/markdown.js';
import { renderPlanText } from '../../src/render/text.js';
import { CANARY, desiredFromJson } from '../builders/desired.js';
import { liveFromJson } from '../builders/live.js';
import { largeCase } from '../plan/large.js';
import { addressOf } from '../../src/plan/address.js';

const OPTIONS = { maxApiCapacity: 0.5, toolVersion: '0.1.0-test' };
const fixture = (name: string, file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/plan/${name}/${file}`, import.meta.url), 'utf8'));
const planOf = (name: string): PlanFile => {
  const live = liveFromJson(fixture(name, 'live.json') as Record<string, unknown>);
  return toPlanFile(createPlan(desiredFromJson(fixture(name, 'config.json') as Record<string, unknown>), live, OPTIONS), live);
};

describe('secrets', () => {
  test('a canary secret in the DesiredState reaches no output, no plan JSON and no inspect of the plan', () => {
    for (const name of ['empty-spoke', 'drift', 'warnings']) {
      const desired = desiredFromJson(fixture(name, 'config.json') as Record<string, unknown>);
      // The canary really is in the input: the check below could fail.
      assert.equal(
        desired.spokes[0]!.connection?.authScheme === 'TOKEN' && desired.spokes[0]!.connection.token.reveal().startsWith(CANARY),
        true,
      );
      const live = liveFromJson(fixture(name, 'live.json') as Record<string, unknown>);
      const plan = toPlanFile(createPlan(desired, live, OPTIONS), live);
      for (const out of [
        renderPlanText(plan, { color: false }),
        renderPlanText(plan, { color: true, width: 60 }),
        renderPlanMarkdown(plan),
        renderPlanJson(plan),
        JSON.stringify(plan),
        inspect(plan, { depth: null }),
      ]) {
        assert.ok(!out.includes(CANARY), `${name}: a secret value leaked`);
      }
      if (name !== 'warnings') assert.ok(renderPlanText(plan, { color: false }).includes('(sensitive)'));
    }
  });
});

describe('text', () => {
  test('colour only when asked, and then as plain ANSI codes', () => {
    const plan = planOf('drift');
    const plain = renderPlanText(plan, { color: false });
    const colored = renderPlanText(plan, { color: true });
    assert.ok(!plain.includes('\x1b['));
    assert.ok(colored.includes('\x1b[33m  ~ app (Acme Hub)\x1b[39m'));
    assert.ok(colored.includes('\x1b[35m  ! profileSourcing\x1b[39m'));
    assert.equal(colored.replace(/\x1b\[\d+m/g, ''), plain);
  });

  test('symbols per action and the summary line', () => {
    const text = renderPlanText(planOf('authoritative'), { color: false });
    assert.match(text, /^ {2}- assignment\.user\["dave@acme\.com"\]$/m);
    assert.match(text, /^Plan: 0 to add, 0 to change, 5 to remove, 0 manual\.$/m);
    assert.match(text, /^6 API writes, at least 8 s at the orgs' current rate limits\.$/m);
  });

  test('"No changes" when the live orgs match', () => {
    assert.match(renderPlanText(planOf('matching'), { color: false }), /^No changes\. The live orgs match the config\.$/m);
  });

  test('width wraps diagnostics and notes with a hanging indent, never structured diff lines', () => {
    const text = renderPlanText(planOf('warnings'), { color: false, width: 60 });
    for (const line of text.split('\n')) {
      if (/^\s*(warning|error|note|\d+\.)/.test(line) || /^ {6}\S/.test(line))
        assert.ok(line.length <= 60 || !line.slice(8).includes(' '), line);
    }
    assert.ok(text.includes('  warning: org2org.config.yaml:301:11: Legacy Ops: the push\n      mapping is in ERROR'));
  });
});

describe('markdown', () => {
  test('a summary table per Spoke and kind, non-bulk changes in full, the legacy per-Spoke markers only when asked', () => {
    const md = renderPlanMarkdown(planOf('warnings'));
    assert.ok(md.includes('| `emea` | Push groups | 2 | 1 |  |  | 1 |  |'), md);
    assert.match(md, /```diff\n~ pushMapping\["Legacy Ops"\]\n {4}status: "ERROR" → "ACTIVE"/);
    assert.doesNotMatch(md, /org2org:spoke=/);
    const legacy = renderPlanMarkdown(planOf('warnings'), { spokeMarkers: true });
    assert.deepEqual(legacy.match(/<!-- org2org:spoke=[a-z0-9-]+ -->/g), ['<!-- org2org:spoke=emea -->', '<!-- org2org:spoke=apac -->']);
  });

  test('a huge plan stays under the limit, names every Spoke and says what was cut and where it is', () => {
    const { desired, live } = largeCase(20_000);
    desired.spokes.push({ ...desired.spokes[0]!, name: 'second' });
    live.spokes.second = { ...live.spokes.big!, name: 'second' };
    const plan = createPlan(desired, live, OPTIONS);
    const full = renderPlanMarkdown(plan, { maxChars: 10_000_000 });
    assert.ok(full.length > 65_536);
    for (const maxChars of [65_536, 20_000]) {
      const md = renderPlanMarkdown(plan, { maxChars, artifact: 'org2org-plan-big' });
      assert.ok(Buffer.byteLength(md) <= maxChars, `${md.length} > ${maxChars}`);
      assert.ok(md.includes('### Spoke `big`') && md.includes('### Spoke `second`'));
      assert.match(
        md,
        /more user assignments to add in `big` not shown \(comment size limit\): the artifact `org2org-plan-big`; `org2org show plan\.json` prints it all/,
      );
      // The details blocks are closed even when cut.
      assert.equal(md.match(/<details>/g)?.length, md.match(/<\/details>/g)?.length);
      assert.equal((md.match(/^```/gm)?.length ?? 0) % 2, 0);
    }
    // Both spokes get room: the second is not starved by the first.
    const md = renderPlanMarkdown(plan);
    const second = md.slice(md.indexOf('### Spoke `second`'));
    assert.match(second, /\+ assignment\.user\["user0@acme\.com"\]/);
  });

  test('a cut comment sends reviewers to the run and the artifact that hold the full plan', () => {
    const { desired, live } = largeCase(20_000);
    const plan = createPlan(desired, live, OPTIONS);
    const linked = renderPlanMarkdown(plan, { fullPlanUrl: 'https://github.com/acme/idp/actions/runs/42', artifact: 'org2org-plan-big' });
    assert.match(
      linked,
      /not shown \(comment size limit\): the artifact `org2org-plan-big` of \[this run\]\(https:\/\/github\.com\/acme\/idp\/actions\/runs\/42\)/,
    );
    assert.doesNotMatch(linked, /run `org2org plan`/);
    assert.match(renderPlanMarkdown(plan), /the saved plan; `org2org show plan\.json` prints it all/);
  });

  test('the footer names the commit and the time the plan was made', () => {
    const plan = planOf('drift');
    plan.git = { commit: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0', dirty: false };
    plan.createdAt = '2026-11-30T05:20:31.123Z';
    assert.match(
      renderPlanMarkdown(plan),
      /<sub>org2org \S+ · config `org2org\.config\.yaml` \([0-9a-f]{12}\) · commit a1b2c3d4e5f6 · planned 2026-11-30 05:20:31 UTC<\/sub>/,
    );
    plan.git.dirty = true;
    assert.match(renderPlanMarkdown(plan), /commit a1b2c3d4e5f6 with uncommitted changes/);
  });

  test('not truncated when it fits: no note', () => {
    assert.ok(!renderPlanMarkdown(planOf('drift')).includes('not shown'));
  });

  test('HTML in Okta messages is escaped', () => {
    const plan = planOf('matching');
    plan.spokes[0]!.diagnostics.push({ severity: 'warning', message: 'bad <!-- org2org:spoke=evil --> text' });
    const md = renderPlanMarkdown(plan);
    assert.ok(!md.includes('org2org:spoke=evil -->'));
  });
});

describe('json', () => {
  test('stable key order whatever order the plan was built in, 2-space indent', () => {
    const plan = planOf('drift');
    const shuffled = JSON.parse(JSON.stringify(plan), function (this: unknown, _key, value: unknown) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).reverse());
    }) as PlanFile;
    assert.notEqual(JSON.stringify(shuffled), JSON.stringify(plan));
    assert.equal(renderPlanJson(shuffled), renderPlanJson(plan));
    const json = renderPlanJson(plan);
    assert.ok(json.startsWith('{\n  "formatVersion": 3,\n  "tool": {'));
    // Every field is written; a change's resource as its address, with the Spoke and kind it names beside it.
    const written = {
      ...plan,
      spokes: plan.spokes.map((s) => ({
        ...s,
        changes: s.changes.map(({ resource, ...c }) => ({
          address: addressOf({ resource }),
          spoke: resource.spoke,
          kind: resource.kind,
          ...c,
        })),
      })),
    };
    assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(written)));
    for (const change of plan.spokes.flatMap((s) => s.changes)) assert.deepEqual(parseAddress(addressOf(change)), change.resource);
    // What a file says is what reading it gives back: the resource parsed from the address, once.
    const read = planOfFile(JSON.parse(json) as WrittenPlanFile);
    assert.deepEqual('plan' in read && read.plan, JSON.parse(JSON.stringify(plan)));
  });
});
