/**
 * What CI shows, produced by the CLI as a workflow runs it (a child process under
 * GITHUB_ACTIONS=true, against the simulator): `plan --comment` writes the whole comment on
 * success and on failure, the step summary holds the plan once and no progress, and a hostile
 * name in the config starts no workflow command in the log.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildSeed, startSim, type Sim } from '../../src/sim/index.js';
import { commentMarker, GITHUB_COMMENT_LIMIT } from '../../src/render/markdown.js';
import { assertValidMarkdown } from '../render/markdown-check.js';
import { startServer } from '../okta/servers.js';
import { runCli } from '../run-cli.js';

describe('plan under GitHub Actions', () => {
  let sim: Sim;
  let dir: string;
  before(async () => {
    sim = await startSim('examples/sim/seed.yaml');
    dir = mkdtempSync(join(tmpdir(), 'org2org-ci-output-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  });

  const files = (name: string) => ({
    comment: join(dir, `${name}.md`),
    summary: join(dir, `${name}-summary.md`),
    plan: join(dir, `${name}.json`),
  });
  const actions = (summary: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, ALICE_ANSWER: 'canary-answer-3b1' });

  test('--comment: the marker first, the plan once, no progress; the summary holds the text plan once', async () => {
    const f = files('ok');
    writeFileSync(f.summary, '');
    const r = await runCli(
      ['plan', '--spoke', 'emea', '--out', f.plan, '--comment', f.comment, '--artifact', 'org2org-plan-emea', '--detailed-exitcode'],
      { ...sim.env, ...actions(f.summary) },
    );
    assert.equal(r.code, 2, r.stderr);
    const comment = readFileSync(f.comment, 'utf8');
    const marker = commentMarker('org2org.config.yaml', ['emea']);
    // What a workflow asks for before it looks for its comment: the same line, no org read, no variable needed.
    const printed = await runCli(['plan', '--spoke', 'emea', '--print-marker'], {});
    assert.deepEqual([printed.code, printed.stdout], [0, `${marker}\n`]);
    assert.ok(comment.startsWith(`${marker}\n## org2org plan for \`emea\`\n`), comment.slice(0, 200));
    assert.ok(Buffer.byteLength(comment) <= GITHUB_COMMENT_LIMIT);
    assertValidMarkdown(comment, marker);
    const summary = readFileSync(f.summary, 'utf8');
    for (const text of [comment, summary]) {
      assert.doesNotMatch(text, /read emea|waiting \d+ s/, 'progress in a comment or summary');
      assert.ok(!text.includes('canary-answer-3b1'));
    }
    assert.equal(summary.match(/Plan: \d+ to add/g)?.length, 1, 'the summary holds the plan once');
    assert.match(summary, /^```text\nSpoke emea/m);
    // The progress is still on stderr, for the log.
    assert.match(r.stderr, /read emea/);
  });

  test('--comment on failure: what failed, at the config line, and nothing about applying', async () => {
    const f = files('failed');
    writeFileSync(f.summary, '');
    const { OKTA_APAC_TOKEN: _dropped, ...env } = sim.env;
    const r = await runCli(['plan', '--spoke', 'apac', '--out', f.plan, '--comment', f.comment], { ...env, ...actions(f.summary) });
    assert.equal(r.code, 1, r.stderr);
    const comment = readFileSync(f.comment, 'utf8');
    assert.ok(comment.startsWith(`${commentMarker('org2org.config.yaml', ['apac'])}\n## ❌ org2org plan failed for \`apac\`\n`));
    assert.match(comment, /org2org\.config\.yaml:\d+:\d+ error: environment variable OKTA_APAC_TOKEN is not set/);
    assert.doesNotMatch(comment, /apply|::error|read apac/i);
    assert.match(readFileSync(f.summary, 'utf8'), /environment variable OKTA_APAC_TOKEN is not set/);
    assert.ok(!existsSync(f.plan), 'no plan file for a plan that was never made');
    // The log gets the annotation, as before.
    assert.match(r.stderr, /^::error file=org2org\.config\.yaml,line=\d+,col=\d+::environment variable OKTA_APAC_TOKEN is not set/m);
  });

  test('a push group named `Ops\\n::add-mask::…` starts no workflow command in the log, the comment or the summary', async () => {
    const f = files('hostile');
    writeFileSync(f.summary, '');
    const config = join(dir, 'hostile.yaml');
    const source = readFileSync('org2org.config.yaml', 'utf8');
    const hostile = '"Ops\\n::add-mask::hunter2\\n::warning::forged-by-a-name\\r::stop-commands::x"';
    assert.ok(source.includes('- { name: Engineering }'));
    writeFileSync(config, source.replace('- { name: Engineering }', `- { name: ${hostile} }`));
    const r = await runCli(['plan', '-c', config, '--spoke', 'emea', '--comment', f.comment, '--no-color'], {
      ...sim.env,
      ...actions(f.summary),
    });
    assert.ok(r.code === 1 || r.code === 0 || r.code === 2, r.stderr);
    const outputs = {
      stdout: r.stdout,
      stderr: r.stderr,
      comment: readFileSync(f.comment, 'utf8'),
      summary: readFileSync(f.summary, 'utf8'),
    };
    assert.ok(Object.values(outputs).join('').includes('add-mask'), 'the name is shown somewhere');
    for (const [where, text] of Object.entries(outputs)) {
      for (const line of text.split('\n')) {
        if (!/^\s*::/.test(line)) continue;
        // The only workflow commands are org2org's annotations, whose message is one escaped line.
        assert.match(line, /^::(error|warning|notice)( file=[^:]*)?::/, `${where}: ${line}`);
        assert.doesNotMatch(line, /^::(warning|error)::forged|^::add-mask|^::stop-commands/, `${where}: ${line}`);
      }
      assert.ok(!text.includes('\r'), `${where}: a bare CR`);
    }
  });
});

test('an Okta error body echoing the token split by an ANSI sequence, with a screen clear and a title: the CLI prints neither token nor escape', async () => {
  const token = '00aSpokeToken-7d2f9c1e4b';
  const hostile = `Invalid token ${token.slice(0, 9)}\u001b[0m${token.slice(9)}\u001b]0;owned\u0007\u001b[2J\n::add-mask::x ${'B'.repeat(20_077)}`;
  // Three orgs (the config refuses one URL for two), each answering every call so.
  const servers = await Promise.all(
    [0, 1, 2].map(() =>
      startServer((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errorCode: 'E0000011', errorSummary: hostile, errorCauses: [{ errorSummary: hostile }] }));
      }),
    ),
  );
  try {
    const env = {
      OKTA_HUB_URL: servers[0]!.url,
      OKTA_EMEA_URL: servers[1]!.url,
      OKTA_APAC_URL: servers[2]!.url,
      OKTA_HUB_ADMIN_TOKEN: token,
      OKTA_HUB_PROVISIONING_TOKEN: token,
      OKTA_EMEA_TOKEN: token,
      OKTA_APAC_TOKEN: token,
      ALICE_ANSWER: 'x-answer',
      GITHUB_ACTIONS: 'true',
    };
    const r = await runCli(['plan', '--spoke', 'emea', '--no-color'], env);
    assert.equal(r.code, 1, r.stderr);
    const all = r.stdout + r.stderr;
    assert.match(all, /Invalid token/, 'the error is reported');
    assert.ok(!all.includes(token) && !all.includes(token.slice(9)), 'the token (or its tail) leaked');
    assert.ok(!/[\u001b\u0007\r]/.test(all), 'an escape reached the terminal');
    assert.ok(Math.max(...all.split('\n').map((l) => l.length)) < 2500, 'an unbounded line');
    for (const line of all.split('\n')) if (/^\s*::/.test(line)) assert.match(line, /^::(error|warning)( file=[^:]*)?::/, line);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

test('the 5,020-change plan through the CLI: 5,000 users and 20 push groups in one Spoke; the comment fits and shows every push mapping, and so does its failure', async () => {
  const seed = buildSeed({ spokes: [{ name: 'emea', users: 5000, groups: 20, membersPerGroup: 1, domain: 'example.com' }] });
  const sim = await startSim(seed);
  const dir = mkdtempSync(join(tmpdir(), 'org2org-ci-5020-'));
  try {
    const config = join(dir, 'org2org.config.yaml');
    const write = (domain: string): void => {
      const users = Array.from({ length: 5000 }, (_, i) => `        - login: user${i + 1}@${domain}`);
      const groups = Array.from({ length: 20 }, (_, i) => `        - name: emea group ${i + 1}`);
      writeFileSync(
        config,
        [
          'version: 1',
          'hub:',
          '  url: ${OKTA_HUB_URL}',
          'spokes:',
          '  - name: emea',
          '    url: ${OKTA_EMEA_URL}',
          '    auth:',
          '      token: ${OKTA_EMEA_TOKEN}',
          '    app:',
          '      label: Acme Hub',
          '    assignments:',
          '      users:',
          ...users,
          '    pushGroups:',
          '      groups:',
          ...groups,
          '',
        ].join('\n'),
      );
    };
    const comment = join(dir, 'comment.md');
    const summary = join(dir, 'summary.md');
    const plan = async (): Promise<{ code: number | null; md: string }> => {
      writeFileSync(summary, '');
      const r = await runCli(
        ['plan', '-c', config, '--spoke', 'emea', '--out', join(dir, 'plan.json'), '--comment', comment, '--artifact', 'org2org-plan-emea'],
        { ...sim.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      );
      return { code: r.code, md: readFileSync(comment, 'utf8') };
    };

    // Every login misspelt: 5,000 errors. The comment still fits and shows the push mappings.
    write('exmaple.com');
    const failed = await plan();
    assert.equal(failed.code, 1);
    assert.ok(Buffer.byteLength(failed.md) <= GITHUB_COMMENT_LIMIT, `${Buffer.byteLength(failed.md)} bytes`);
    assertValidMarkdown(failed.md, commentMarker(config, ['emea']));
    assert.match(failed.md, /^## ❌ org2org plan for `emea`: errors, cannot be applied$/m);
    assert.match(failed.md, /more not shown/);
    for (let i = 1; i <= 20; i++) assert.ok(failed.md.includes(`+ pushMapping["emea group ${i}"]`), `push mapping ${i}`);

    write('example.com');
    const { code, md } = await plan();
    assert.equal(code, 0, md.slice(0, 2000));
    assert.ok(Buffer.byteLength(md) <= GITHUB_COMMENT_LIMIT, `${Buffer.byteLength(md)} bytes`);
    assertValidMarkdown(md, commentMarker(config, ['emea']));
    assert.match(md, /\*\*Plan: 5,020 to add, 0 to change, 0 to remove, 0 manual\.\*\*/);
    const list = md.indexOf('<details><summary>User assignments to add in emea: 5,000</summary>');
    for (let i = 1; i <= 20; i++) {
      const at = md.indexOf(`+ pushMapping["emea group ${i}"]`);
      assert.ok(at > 0 && at < list, `push mapping ${i} shown before the user list`);
    }
    assert.match(md, /more user assignments to add in `emea` not shown \(comment size limit\): the artifact `org2org-plan-emea`/);
    assert.equal(readFileSync(summary, 'utf8').match(/^ {2}\+ assignment\.user\[/gm)?.length, 5000, 'the summary holds every change');
    const shown = (text: string): number => text.match(/^\+ assignment\.user\[/gm)?.length ?? 0;
    console.log(
      `CLI 5,020-change comment: ${Buffer.byteLength(md)} bytes, ${shown(md)} user adds shown; with 5,000 errors: ${Buffer.byteLength(failed.md)} bytes`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
});
