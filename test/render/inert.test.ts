/**
 * Untrusted text is inert (issue 25, items 3 and 9): one test per attack, through the renderers
 * people read (text plan, Markdown comment, step summary, annotations, progress rows, errors).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { holdSecret } from '../../src/credentials.js';
import {
  annotation,
  fenceFor,
  htmlText,
  guardWorkflowCommands,
  inert,
  inertBlock,
  mdCode,
  mdText,
  stripControls,
} from '../../src/inert.js';
import { cleanServerText } from '../../src/okta/errors.js';
import type { Plan } from '../../src/plan/types.js';
import { commentMarker, renderPlanMarkdown, renderStepSummary } from '../../src/render/markdown.js';
import { finishedRowText } from '../../src/render/progress-text.js';
import { renderPlanText } from '../../src/render/text.js';
import { createPlan } from '../../src/plan/create-plan.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';
import { liveAppUser, liveSpoke, liveState } from '../builders/live.js';
import { change, plan as planOf } from '../builders/plan.js';
import { assertValidMarkdown } from './markdown-check.js';

/** A line the Actions runner would take as a workflow command (it trims leading whitespace). */
const COMMAND_LINE = /^\s*::/m;

function hostilePlan(name: string, message = `${name}: the push mapping is in ERROR`): Plan {
  const p = planOf([
    change('emea', 'pushMapping', name, 'create', { type: 'none' }, { attributes: [{ name: 'targetName', before: null, after: name }] }),
    change('emea', 'assignment.user', name, 'delete', { type: 'none' }, { before: { login: name } }),
  ]);
  p.spokes[0]!.diagnostics.push({ severity: 'warning', message });
  return p;
}

function outputs(p: Plan): Record<string, string> {
  return {
    text: renderPlanText(p, { color: false }),
    'text (wrapped)': renderPlanText(p, { color: true, width: 40 }),
    markdown: renderPlanMarkdown(p),
    summary: renderStepSummary(p, renderPlanText(p, { color: false })),
  };
}

describe('control characters', () => {
  test('a group named `Ops\\n::add-mask::…` starts no workflow command in any output', () => {
    const p = hostilePlan('Ops\n::add-mask::hunter2', 'Ops\n::add-mask::hunter2\n::stop-commands::tok\n::warning::forged');
    for (const [where, out] of Object.entries(outputs(p))) {
      assert.doesNotMatch(out, COMMAND_LINE, where);
      assert.ok(out.includes('add-mask'), `${where}: the name is still shown`);
    }
  });

  test('a login with a bare CR can neither overwrite its line nor start a new one', () => {
    const p = hostilePlan('eve@acme.com\r::warning::approved by security');
    for (const [where, out] of Object.entries(outputs(p))) {
      assert.ok(!out.includes('\r'), where);
      assert.doesNotMatch(out, COMMAND_LINE, where);
    }
  });

  test("an app user's errorSummary with an ESC title sequence, a screen clear and a 20,077-character line", () => {
    const summary = `\u001b]0;owned\u0007\u001b[2J\u001b[H\u001bc${'A'.repeat(20_077)}`;
    const p = hostilePlan('alice@acme.com', `alice@acme.com: provisioning to the Hub failed: ${summary}`);
    for (const [where, out] of Object.entries(outputs(p))) {
      // Only org2org's own colour codes (the wrapped text is coloured).
      assert.ok(!/[\u001b\u0007\u009b]/.test(out.replace(/\u001b\[\d+m/g, '')), `${where}: an escape reached the output`);
      const longest = Math.max(...out.split('\n').map((l) => l.length));
      assert.ok(longest < 2000, `${where}: a ${longest}-character line`);
      assert.match(out, /more characters\)/, `${where}: the cut is said`);
    }
    // The same text as Okta gives it, through the planner: a live app user in ERROR whose login has a bare CR.
    const desired = desiredState('https://acme.okta.com', [desiredSpoke('emea', 'https://acme-emea.okta.com')]);
    const login = 'eve@acme.com\r::warning::approved';
    const live = liveState([liveSpoke('emea', { appUsers: [liveAppUser(login, { syncState: 'ERROR', errorSummary: summary })] })]);
    const planned = createPlan(desired, live, { maxApiCapacity: 0.5, toolVersion: '0.1.0' });
    assert.ok(
      planned.spokes[0]!.diagnostics.some((d) => d.message.includes('\u001b]0;owned')),
      'the planner passes the raw text on',
    );
    for (const [where, out] of Object.entries(outputs(planned))) {
      assert.ok(!/[\r\u001b\u0007\u009b]/.test(out.replace(/\u001b\[\d+m/g, '')), `${where}: a control character reached the output`);
      assert.doesNotMatch(out, COMMAND_LINE, where);
      assert.ok(Math.max(...out.split('\n').map((l) => l.length)) < 2000, where);
    }
    const row = finishedRowText({ outcome: 'failed', change: change('emea', 'assignment.user', 'alice'), message: summary }, false);
    assert.ok(!row.includes('\u001b') && row.length < 1200);
  });

  test('bidi overrides, C1 controls and NUL are removed; tabs and newlines become spaces in one line', () => {
    assert.equal(stripControls('a\u202eb\u2066c\u0085d\u0000e\u200ff\u009b2Jg'), 'abcdefg');
    assert.equal(inert('a\tb\nc'), 'a b c');
    assert.equal(inertBlock('a\r\nb\u001b[31m'), 'a\nb');
  });
});

describe('secrets are scrubbed after control characters are stripped', () => {
  test('a token split by an ANSI sequence in an error body is still caught', () => {
    const token = '00aTokenValue-scrub-me-7c1';
    holdSecret(token);
    const split = `invalid token ${token.slice(0, 8)}\u001b[0m${token.slice(8)} in header`;
    for (const out of [
      cleanServerText(split),
      inert(split),
      inertBlock(split),
      mdText(split),
      annotation({ severity: 'error', message: split }),
    ]) {
      assert.ok(!out.includes(token), out);
      assert.ok(!out.includes(token.slice(8)), out);
      assert.match(out, /\(sensitive\)/);
    }
  });
});

describe('Markdown', () => {
  test('names inside warnings render as no link, image, @mention, autolink, HTML or new block', () => {
    const names = [
      '[click here](https://evil.example/login)',
      '![beacon](https://evil.example/pixel.png)',
      '@acme/security-team',
      'https://evil.example/x',
      'www.evil.example',
      '<img src=x onerror=alert(1)>',
      'x\n# Approved\n> by security',
      '| a | b |',
      '`code` and ``` fences',
      '#1234',
    ];
    for (const name of names) {
      const md = renderPlanMarkdown(hostilePlan(name));
      assertValidMarkdown(md);
      const warning = md.split('\n').find((l) => l.startsWith('- ⚠️'))!;
      assert.ok(warning, md);
      assert.doesNotMatch(warning, /(?<!\\)\[[^\]]*(?<!\\)\]\(/, `a link in: ${warning}`);
      assert.doesNotMatch(warning, /@[A-Za-z]/, `a mention in: ${warning}`);
      assert.doesNotMatch(warning, /https?:\/\/|www\./, `an autolink in: ${warning}`);
      assert.doesNotMatch(warning, /<[a-z!]/i, `HTML in: ${warning}`);
      assert.doesNotMatch(warning, /(?<!&)#\d/, `an issue reference in: ${warning}`);
      assert.doesNotMatch(md, /^(# Approved|> by security)/m, 'a new block');
    }
  });

  test("a group named `<!-- org2org:spoke=apac -->` plants no marker in emea's comment", () => {
    const marker = commentMarker('org2org.config.yaml', ['emea']);
    for (const name of ['<!-- org2org:spoke=apac -->', `${commentMarker('org2org.config.yaml', ['apac'])}`]) {
      const md = renderPlanMarkdown(hostilePlan(name), { marker, spokeMarkers: true });
      assert.ok(md.startsWith(`${marker}\n`));
      // The only lines that start an HTML comment are the comment's own marker and emea's legacy one
      // (the name shows inside code, where nothing renders).
      assert.deepEqual(md.match(/^<!--.*$/gm), [marker, '<!-- org2org:spoke=emea -->']);
      assertValidMarkdown(md.replace('<!-- org2org:spoke=emea -->\n', ''), marker);
    }
  });

  test('the marker is a digest of the config path and the Spoke selection, the same whatever the order', () => {
    const m = commentMarker('org2org.config.yaml', ['emea', 'apac']);
    assert.match(m, /^<!-- org2org:plan v1 [0-9a-f]{16} -->$/);
    assert.equal(m, commentMarker('org2org.config.yaml', ['apac', 'emea']));
    assert.notEqual(m, commentMarker('org2org.config.yaml', ['emea']));
    assert.notEqual(m, commentMarker('other.yaml', ['emea', 'apac']));
    assert.notEqual(commentMarker('org2org.config.yaml', []), commentMarker('org2org.config.yaml', ['emea']));
  });

  test('HTML text (a <summary>) holds no tag, mention or autolink either', () => {
    assert.equal(htmlText('<b>@team</b> https://x "q" #12'), '&lt;b&gt;@&#8203;team&lt;/b&gt; https:&#8203;//x &quot;q&quot; #&#8203;12');
  });

  test('inline code and fences hold any backticks', () => {
    assert.equal(mdCode('a`b'), '``a`b``');
    assert.equal(mdCode('`x'), '`` `x ``');
    assert.equal(fenceFor('```` inside'), '`````');
    assert.equal(fenceFor('plain'), '```');
  });
});

describe('GitHub Actions workflow commands', () => {
  test("the stream guard defuses `::` at a line's start (after whitespace), across writes, but not org2org's own annotations", () => {
    const guard = guardWorkflowCommands();
    const own = annotation({ severity: 'error', message: 'bad\n::add-mask::x', file: 'org2org.config.yaml', line: 3, col: 5 });
    assert.equal(own, '::error file=org2org.config.yaml,line=3,col=5::bad ::add-mask::x');
    const out = [
      guard('plan line\n::add-mask::s1\n   ::warning::s2\n  :'),
      guard(':stop-commands::tok\nok ##[set-output name=x]y\n'),
      guard(`${own}\n`),
      guard('x::y\n'),
    ].join('');
    assert.doesNotMatch(out.replace(`${own}\n`, ''), COMMAND_LINE);
    assert.ok(out.includes(`${own}\n`), 'our own annotation passes');
    assert.ok(!out.includes('##['));
    assert.ok(out.includes('x::y'), 'colons inside a line are left alone');
  });
});
