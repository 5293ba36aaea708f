import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectTerminal } from '../../src/render/terminal.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('detectTerminal', () => {
  it('is interactive, with colour, when stderr and stdin are TTYs outside CI', () => {
    assert.deepEqual(detectTerminal({ env: {}, stdin: tty, stderr: tty, stdout: pipe }), { interactive: true, color: true });
  });

  it('is not interactive when stderr or stdin is not a TTY', () => {
    assert.deepEqual(detectTerminal({ env: {}, stdin: tty, stderr: pipe }), { interactive: false, color: false });
    assert.deepEqual(detectTerminal({ env: {}, stdin: pipe, stderr: tty }), { interactive: false, color: false });
    assert.deepEqual(detectTerminal({ env: {}, stdin: {}, stderr: tty }), { interactive: false, color: false });
  });

  it('is not interactive under CI or --no-tty, even in a terminal', () => {
    assert.equal(detectTerminal({ env: { CI: 'true' }, stdin: tty, stderr: tty }).interactive, false);
    assert.equal(detectTerminal({ env: { CI: '1' }, stdin: tty, stderr: tty }).interactive, false);
    assert.equal(detectTerminal({ env: { CONTINUOUS_INTEGRATION: 'yes' }, stdin: tty, stderr: tty }).interactive, false);
    assert.equal(detectTerminal({ noTty: true, env: {}, stdin: tty, stderr: tty }).interactive, false);
  });

  it('takes CI=false and CI=0 as not in CI (as Ink does)', () => {
    assert.equal(detectTerminal({ env: { CI: 'false' }, stdin: tty, stderr: tty }).interactive, true);
    assert.equal(detectTerminal({ env: { CI: '0' }, stdin: tty, stderr: tty }).interactive, true);
  });

  it('turns colour off under NO_COLOR, in a terminal and even with FORCE_COLOR', () => {
    assert.deepEqual(detectTerminal({ env: { NO_COLOR: '1' }, stdin: tty, stderr: tty }), { interactive: true, color: false });
    assert.equal(detectTerminal({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, stdin: tty, stderr: tty }).color, false);
    // An empty NO_COLOR does not count (no-color.org).
    assert.equal(detectTerminal({ env: { NO_COLOR: '' }, stdin: tty, stderr: tty }).color, true);
  });

  it('turns colour on under FORCE_COLOR when piped or in CI, and off for FORCE_COLOR=0', () => {
    assert.deepEqual(detectTerminal({ env: { FORCE_COLOR: '1' }, stdin: pipe, stderr: pipe }), { interactive: false, color: true });
    assert.deepEqual(detectTerminal({ env: { FORCE_COLOR: '', CI: 'true' }, stdin: tty, stderr: tty }), {
      interactive: false,
      color: true,
    });
    assert.equal(detectTerminal({ env: { FORCE_COLOR: '0' }, stdin: tty, stderr: tty }).color, false);
  });
});
