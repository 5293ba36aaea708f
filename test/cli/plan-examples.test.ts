import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      concurrency?: { group: string; 'cancel-in-progress': boolean };
      strategy?: { matrix: { spoke: string[] } };
      steps: { run?: string; with?: { script?: string } }[];
    }
  >;
};
const load = (name: string): Workflow => parse(readFileSync(`examples/github-actions/${name}.yml`, 'utf8')) as Workflow;

test("plan-on-pr: plans per Spoke and updates the comment that carries the renderer's marker", () => {
  const wf = load('plan-on-pr');
  assert.ok('pull_request' in wf.on);
  const job = wf.jobs.plan!;
  assert.deepEqual(job.strategy?.matrix.spoke, ['emea', 'apac']);
  const runs = job.steps.map((s) => s.run ?? '').join('\n');
  assert.match(runs, /org2org plan .*--spoke "\$SPOKE" --format markdown[\s\S]*--detailed-exitcode/);
  // The marker the Markdown renderer writes (src/render/markdown.ts), found and updated in place.
  assert.match(runs, /marker="<!-- org2org:spoke=\$SPOKE -->"/);
  assert.match(runs, /gh api --method PATCH/);
});

test('apply-after-merge: one concurrency group per org, never cancelled', () => {
  const job = load('apply-after-merge').jobs.apply!;
  assert.equal(job.concurrency?.group, 'org2org-apply-${{ matrix.spoke }}');
  assert.equal(job.concurrency?.['cancel-in-progress'], false);
  assert.match(job.steps.map((s) => s.run ?? '').join('\n'), /org2org apply reviewed\/plan\.json --auto-approve/);
});

test('drift-check: scheduled, fails on changes through --detailed-exitcode', () => {
  const wf = load('drift-check');
  assert.ok('schedule' in wf.on);
  assert.match(wf.jobs.drift!.steps.map((s) => s.run ?? '').join('\n'), /org2org plan .*--detailed-exitcode/);
});
