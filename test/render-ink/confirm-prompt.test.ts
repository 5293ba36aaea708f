import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { cleanup, render } from 'ink-testing-library';
import { CANCELLED, ConfirmPrompt } from '../../src/render/ink/confirm-prompt.js';
import { eventually } from './builders.js';

const PROMPT = "Apply these 3 changes?\n  Only 'yes' will be accepted to approve.\n  Enter a value: ";

/**
 * Types each chunk as a keypress (or a paste), each once the previous one shows, and returns
 * what the prompt answered and its last frame.
 */
async function answer(...keys: string[]): Promise<{ answers: boolean[]; frame: string }> {
  const answers: boolean[] = [];
  const app = render(
    React.createElement(ConfirmPrompt, { question: 'Apply these 3 changes?', color: false, onAnswer: (a: boolean) => answers.push(a) }),
  );
  // The prompt's last frame: under CI, Ink writes one more (empty) frame when the prompt exits.
  const frame = (): string => app.frames.findLast((f) => f.startsWith('Apply these')) ?? '';
  // Ink starts reading stdin in an effect after the first render; keys sent before would be lost.
  assert.ok(await eventually(() => app.stdin.listenerCount('readable') > 0, Boolean), 'the prompt reads stdin');
  for (const key of keys) {
    const before = frame();
    const count = answers.length;
    app.stdin.write(key);
    // Every key either changes what is shown or answers; wait for that before the next one.
    await eventually(
      () => [frame(), answers.length] as const,
      ([f, n]) => f !== before || n !== count,
      40,
    );
  }
  const last = answers.length > 0 ? await eventually(frame, (f) => !f.endsWith('█')) : frame();
  return { answers, frame: last };
}

afterEach(() => cleanup());

describe('Ink confirmation prompt', () => {
  it('asks, Terraform style', async () => {
    const { answers, frame } = await answer();
    assert.deepEqual(answers, []);
    assert.equal(frame, `${PROMPT}█`);
  });

  it('approves on exactly "yes" then Enter', async () => {
    const { answers, frame } = await answer('y', 'e', 's', '\r');
    assert.deepEqual(answers, [true]);
    assert.equal(frame, `${PROMPT}yes`);
    assert.ok(!frame.includes(CANCELLED));
  });

  it('takes a pasted "yes" and corrections with backspace', async () => {
    assert.deepEqual((await answer('yes', '\r')).answers, [true]);
    assert.deepEqual((await answer('yex', '\x7f', 's', '\r')).answers, [true]);
  });

  it('takes the answer and its Enter in one chunk (a paste, or tmux send-keys)', async () => {
    const pasted = await answer('yes\r');
    assert.deepEqual(pasted.answers, [true]);
    assert.equal(pasted.frame, `${PROMPT}yes`);
    assert.deepEqual((await answer('ye', 's\n')).answers, [true]);
    assert.deepEqual((await answer('nope\r')).answers, [false]);
    assert.deepEqual((await answer('yes please\r')).answers, [false]);
  });

  for (const [what, keys] of [
    ['"no"', ['no', '\r']],
    ['"y"', ['y', '\r']],
    ['"Yes"', ['Yes', '\r']],
    ['"yes " (trailing space)', ['yes ', '\r']],
    ['"yess"', ['yess', '\r']],
    ['an empty answer', ['\r']],
    ['Ctrl+C', ['ye', '\x03']],
    ['Escape', ['yes', '\x1b']],
  ] as const) {
    it(`cancels on ${what}, saying so`, async () => {
      const { answers, frame } = await answer(...keys);
      assert.deepEqual(answers, [false]);
      assert.ok(frame.startsWith(PROMPT.trimEnd()), frame);
      assert.match(frame, /\nApply cancelled\.$/);
    });
  }

  it('answers once: keys after the answer are ignored', async () => {
    const { answers } = await answer('no', '\r', 'yes', '\r');
    assert.deepEqual(answers, [false]);
  });
});
