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
      steps: { run?: string; uses?: string; with?: { script?: string; command?: string; pr?: string } }[];
    }
  >;
};
const load = (name: string): Workflow => parse(readFileSync(`examples/github-actions/${name}.yml`, 'utf8')) as Workflow;
/** The org2org Action's shell steps (action.yml), what a workflow's `uses:` of it runs. */
const actionRuns = (parse(readFileSync('action.yml', 'utf8')) as { runs: { steps: { run?: string }[] } }).runs.steps
  .map((s) => s.run ?? '')
  .join('\n');
const usesAction = (steps: Workflow['jobs'][string]['steps'], command: string): boolean =>
  steps.some((s) => /^[^/]+\/org2org@/.test(s.uses ?? '') && s.with?.command === command);

test("plan-on-pr: plans per Spoke and updates the comment that carries the renderer's marker", () => {
  const wf = load('plan-on-pr');
  assert.ok('pull_request' in wf.on);
  const job = wf.jobs.plan!;
  assert.deepEqual(job.strategy?.matrix.spoke, ['emea', 'apac']);
  assert.ok(usesAction(job.steps, 'plan'), 'the org2org Action plans');
  assert.match(actionRuns, /org2org plan -c "\$CONFIG" --spoke "\$SPOKE" --detailed-exitcode --out [^\n]*\n\s*--comment /);
  // The comment org2org writes starts with its marker (src/render/markdown.ts): found by it and updated in place.
  assert.match(actionRuns, /--print-marker/);
  assert.match(actionRuns, /startswith\(/);
  assert.match(actionRuns, /gh api --method PATCH/);
});

test('apply-after-merge: one concurrency group per org, never cancelled; the saved plan is the approval; a manual run by PR number', () => {
  const wf = load('apply-after-merge');
  const job = wf.jobs.apply!;
  assert.equal(job.concurrency?.group, 'org2org-apply-${{ matrix.spoke }}');
  assert.equal(job.concurrency?.['cancel-in-progress'], false);
  assert.ok(usesAction(job.steps, 'apply'), 'the org2org Action applies');
  assert.match(actionRuns, /org2org apply "\$REVIEWED_PLAN" --wait/);
  // No prompt to skip, and no guard flag: the plan's own allowances are the only ones.
  assert.doesNotMatch(actionRuns, /org2org apply[^\n]*(--auto-approve|--max-removals|--allow-)/);
  assert.ok('workflow_dispatch' in wf.on);
  assert.equal(job.steps.find((s) => /org2org@/.test(s.uses ?? ''))?.with?.pr, '${{ inputs.pr }}');
});

test('drift-check: scheduled, fails on changes through --detailed-exitcode', () => {
  const wf = load('drift-check');
  assert.ok('schedule' in wf.on);
  assert.ok(usesAction(wf.jobs.drift!.steps, 'drift'), 'the org2org Action checks drift');
  assert.match(actionRuns, /drift\)\s+org2org plan .*--detailed-exitcode/);
});
