/**
 * createProgress and confirmApply in "a terminal": the real Ink render on fake TTY streams,
 * through the plain functions the commands call.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { confirmApply, createProgress } from '../../src/render/progress.js';
import { change } from '../builders/plan.js';
import { clock, eventually, FakeStdin, fakeTty, outcome, result, stripAnsi } from './builders.js';

const terminal = { interactive: true, color: false };

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('createProgress in a terminal (Ink)', () => {
  it('draws reads and an apply on stderr, writes each finished row once, and lets go on stop()', async () => {
    const err = fakeTty();
    const t = clock();
    const progress = createProgress(terminal, {
      stream: err.stream,
      stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
      tickMs: 0,
      now: t.now,
    });
    // Fed at once, before Ink has even loaded: nothing may be lost.
    progress.read({ type: 'read-start', org: 'emea', collection: 'app users' });
    progress.read({ type: 'read-done', org: 'emea', collection: 'app users', count: 1234, ms: 50 });
    const app = change('emea', 'app', 'Acme Hub');
    const alice = change('emea', 'assignment.user', 'alice@acme.com');
    progress.apply({ type: 'apply-start', total: 2 });
    progress.apply({ type: 'change-start', change: app });
    progress.apply({ type: 'change-done', change: app, ms: 120 });
    await eventually(
      () => stripAnsi(err.text()),
      (t) => t.includes('Acme Hub'),
    );
    progress.apply({ type: 'change-start', change: alice });
    progress.apply({ type: 'change-failed', change: alice, message: 'Okta answered 500' });
    t.advance(2000);
    progress.apply({ type: 'apply-end', result: result([outcome(app, 'applied'), outcome(alice, 'failed', 'Okta answered 500')]) });
    await progress.stop();
    await progress.stop(); // twice is harmless

    const text = stripAnsi(err.text());
    assert.ok(text.includes('read emea: 1,234 objects in 1 collection'), text);
    assert.equal(occurrences(text, '✓ created spoke.emea.app["Acme Hub"] (120 ms)'), 1, text);
    assert.equal(occurrences(text, '✗ failed  spoke.emea.assignment.user["alice@acme.com"]: Okta answered 500'), 1, text);
    assert.match(text, /Apply finished with errors: 1 applied, 1 failed, 0 skipped in 2\.0 s\./);
    // The last frame has no spinner left in it.
    const lastFrame = text.slice(text.lastIndexOf('Apply finished'));
    assert.doesNotMatch(lastFrame, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });

  it('writes no ANSI colour when colour is off, and colours when on', async () => {
    const draw = async (color: boolean): Promise<string> => {
      const err = fakeTty();
      const progress = createProgress(
        { interactive: true, color },
        { stream: err.stream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream, tickMs: 0 },
      );
      progress.apply({ type: 'change-done', change: change('emea', 'app', 'Acme Hub'), ms: 1 });
      await progress.stop();
      return err.text();
    };
    // Ink moves the cursor with escape codes of its own; colour codes are SGR (`…m`).
    assert.ok((await draw(true)).includes('\x1b[32m✓\x1b[39m'));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(await draw(false), /\u001b\[[0-9;]*m/);
  });
});

describe('confirmApply in a terminal (Ink)', () => {
  async function ask(keys: string[]): Promise<{ approved: boolean; text: string }> {
    const err = fakeTty();
    const stdin = new FakeStdin();
    const answer = confirmApply(terminal, 'Apply 2 changes to emea?', { stdin: stdin as unknown as NodeJS.ReadStream, stderr: err.stream });
    // Keys count once the prompt is drawn and reading.
    await eventually(
      () => stdin.listenerCount('readable'),
      (n) => n > 0,
    );
    for (const key of keys) {
      stdin.type(key);
      await eventually(
        () => stripAnsi(err.text()),
        (t) => t.includes(key.trim()) || key === '\r',
      );
    }
    const approved = await answer;
    return { approved, text: stripAnsi(err.text()) };
  }

  it('resolves true for "yes"', async () => {
    const { approved, text } = await ask(['yes', '\r']);
    assert.equal(approved, true);
    assert.ok(text.includes('Apply 2 changes to emea?'), text);
    assert.ok(!text.includes('Apply cancelled.'), text);
  });

  it('resolves false for anything else, saying "Apply cancelled."', async () => {
    const { approved, text } = await ask(['y', '\r']);
    assert.equal(approved, false);
    assert.ok(text.includes('Apply cancelled.'), text);
  });
});
