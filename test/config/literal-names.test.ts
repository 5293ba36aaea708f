/**
 * `${…}` in a name is literal: a Spoke admin who names a group `${OKTA_HUB_PROVISIONING_TOKEN}`
 * gets that text exported, planned and searched for as it is, and the token itself never shows
 * in any output (text, Markdown, JSON, plan file, debug log) nor goes out in any request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { loadSeed, startSim } from '../../src/sim/index.js';
import { runExport } from '../../src/cli/commands/export.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { loadConfig } from '../../src/config/load.js';
import { createOktaClient } from '../../src/okta/client.js';
import type { PlanFile } from '../../src/plan/types.js';
import { writeTemp } from './helpers.js';

const NAME = '${OKTA_HUB_PROVISIONING_TOKEN}';

test('a group named ${VAR} is exported, planned and searched for literally; the variable never appears or is sent', {
  timeout: 120_000,
}, async () => {
  const seed = loadSeed('examples/sim/seed.yaml');
  const emea = seed.orgs.emea!;
  emea.groups = [...(emea.groups ?? []), { name: NAME, members: ['alice@acme.com'] }];
  const app = emea.apps!.find((a) => a.label === 'Acme Hub')!;
  app.groups = [...(app.groups ?? []), NAME];
  const sim = await startSim(seed, { timeScale: 60 });
  const dir = mkdtempSync(join(tmpdir(), 'org2org-literal-'));
  try {
    const token = sim.env.OKTA_HUB_PROVISIONING_TOKEN!;
    assert.ok(token && token.length > 8);
    const file = join(dir, 'org2org.config.yaml');
    const exported = { out: '', err: '' };
    const code = await runExport(['--hub-url', sim.orgs.hub!.url, '--spoke', `emea=${sim.orgs.emea!.url}`, '-o', file], {
      env: sim.env,
      stdout: (t) => void (exported.out += t),
      stderr: (t) => void (exported.err += t),
    });
    assert.equal(code, 0, exported.err);
    const doc = parse(readFileSync(file, 'utf8')) as { spokes: { assignments: { groups: { name: string }[] } }[] };
    assert.ok(
      doc.spokes[0]!.assignments.groups.some((g) => g.name === NAME),
      'the name is written as it is',
    );

    const { desired } = await loadConfig(file, { env: sim.env, requireSecrets: true });
    assert.ok(
      desired.spokes[0]!.assignments.groups.some((g) => g.name === NAME),
      'and read back literally',
    );

    const sent: string[] = [];
    const debug: string[] = [];
    const outputs: string[] = [];
    for (const format of ['text', 'markdown', 'json']) {
      const sink = { out: '', err: '' };
      const planFile = join(dir, `plan-${format}.json`);
      const exit = await runPlan(['-c', file, '--format', format, '--detailed-exitcode', '--out', planFile, '--debug'], {
        env: sim.env,
        stdout: (t) => void (sink.out += t),
        stderr: (t) => void (sink.err += t),
        createClient: (o) =>
          createOktaClient({
            ...o,
            debug: true,
            log: (l) => debug.push(l),
            onEvent: (e) => {
              if (e.type === 'request') sent.push(e.path);
              o.onEvent?.(e);
            },
          }),
      });
      assert.equal(exit, 0, `${format}: an exported file plans no changes\n${sink.out}${sink.err}`);
      outputs.push(sink.out, sink.err, readFileSync(planFile, 'utf8'));
      if (format === 'json') {
        const plan = JSON.parse(sink.out) as PlanFile;
        assert.ok(
          Object.keys(plan.fingerprints).includes(`spoke.emea.assignment.group[${JSON.stringify(NAME)}]`),
          'the plan names the group literally',
        );
      }
    }
    // The Hub search for an added push would carry the name too: plan one.
    const edited = parseDocument(readFileSync(file, 'utf8'));
    edited.setIn(['spokes', 0, 'pushGroups', 'groups'], edited.createNode([{ name: NAME }]));
    const pushedFile = writeTemp(String(edited), 'pushed.yaml');
    const sink = { out: '', err: '' };
    await runPlan(['-c', pushedFile, '--format', 'markdown'], {
      env: sim.env,
      stdout: (t) => void (sink.out += t),
      stderr: (t) => void (sink.err += t),
      createClient: (o) =>
        createOktaClient({
          ...o,
          onEvent: (e) => {
            if (e.type === 'request') sent.push(e.path);
            o.onEvent?.(e);
          },
        }),
    });
    outputs.push(sink.out, sink.err);
    assert.ok(sink.out.includes(NAME), sink.out);

    const encoded = [token, encodeURIComponent(token)];
    for (const text of [...outputs, ...debug, ...sent])
      for (const t of encoded) assert.ok(!text.includes(t), `the token appeared in: ${text.slice(0, 200)}`);
    assert.ok(
      sent.some((p) => decodeURIComponent(p.replace(/\+/g, ' ')).includes(NAME)),
      'the literal name was searched for',
    );
    writeFileSync(join(dir, 'done'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});
