/** The session every org-reading command starts with: its clients and the Ctrl-C signal they share. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSession } from '../../src/cli/session.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';

const GLOBAL = { config: 'org2org.config.yaml', noColor: true, noTty: true, debug: false, help: false };

test('a config with many Spokes: each client listens to the Ctrl-C signal, and Node reports no listener leak', async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const stop = new AbortController();
    const session = startSession({ env: {}, stdout: () => {}, stderr: () => {}, signal: stop.signal }, GLOBAL);
    const spokes = Array.from({ length: 12 }, (_, i) => desiredSpoke(`spoke${i}`, `http://127.0.0.1:${9000 + i}`));
    const clients = session.clients(desiredState('http://127.0.0.1:8999', spokes));
    assert.equal(Object.keys(clients.spokes).length, 12);
    await new Promise((resolve) => setImmediate(resolve)); // Node emits the warning on a later tick
    assert.deepEqual(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  } finally {
    process.off('warning', onWarning);
  }
});
