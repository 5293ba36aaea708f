/**
 * Ctrl-C during apply, without a terminal (the CLI's stdio are pipes here; the Ink UI was checked
 * in tmux): the first SIGINT stops starting changes, lets the ones in flight finish, reports what
 * was done and what wasn't, and exits 130; re-running apply converges. A second SIGINT exits at
 * once, also 130. Plan and check stop the same way while they read: no plan, exit 130.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INITIAL_IN_FLIGHT } from '../../src/okta/scheduler.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { cliEnv, countRequests, countWrites, runCli, seedWithApacRemovals, type CliResult } from './cli.js';

const EXTRA = 80;

const APPLY = ['apply', '--auto-approve', '--max-removals', '200'];

test('first Ctrl-C mid-apply: in-flight changes finish, the rest are reported as not made, exit 130; the next apply converges', async () => {
  const sim = await startSim(seedWithApacRemovals(EXTRA), { timeScale: 60, latencyMs: 150 });
  try {
    const env = cliEnv(sim);
    let sent = false;
    const stopped = await runCli(APPLY, env, {
      onChild: (child) =>
        child.stderr!.on('data', (d: Buffer) => {
          // Interrupt once the first change is done: the run is well under way.
          if (!sent && /✓/.test(d.toString())) {
            sent = true;
            child.kill('SIGINT');
          }
        }),
    });
    assert.ok(sent, `no change finished:\n${stopped.stderr}`);
    assert.equal(stopped.code, 130, stopped.stdout + stopped.stderr);
    assert.match(stopped.stderr, /Stopping: no new change starts, the ones in flight finish\./);
    const summary = /Apply interrupted: (\d+) applied, (\d+) failed, (\d+) skipped/.exec(stopped.stderr);
    assert.ok(summary, stopped.stderr);
    const [applied, failed, notMade] = summary.slice(1).map(Number) as [number, number, number];
    assert.equal(failed, 0, 'an in-flight change was cut off');
    assert.ok(applied >= 1 && notMade >= 1, `applied ${applied}, not made ${notMade}`);
    assert.match(stopped.stderr, new RegExp(`${notMade} changes? (was|were) not made\\. Run \`org2org apply\` again`));
    // Each change not made is in the summary, not a line of its own.
    assert.doesNotMatch(stopped.stderr, /not started: apply was interrupted/);
    // The writes match the report: what was in flight finished, nothing more started.
    const apacApp = sim
      .org('apac')
      .apps.values()
      .find((a) => a.label === 'Acme Hub')!;
    assert.ok(apacApp.users.size > 2, 'some removals were not made');

    const again = await runCli(APPLY, env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const plan = await runCli(['plan', '--detailed-exitcode'], env);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  } finally {
    await sim.close();
  }
});

test('a second Ctrl-C exits at once with 130', async () => {
  const sim = await startSim(seedWithApacRemovals(EXTRA), { timeScale: 60, latencyMs: 400 });
  try {
    const env = cliEnv(sim);
    let sent = 0;
    const result = await runCli(APPLY, env, {
      onChild: (child) =>
        child.stderr!.on('data', (d: Buffer) => {
          if (sent === 0 && /Applying \d+ changes/.test(d.toString())) {
            sent = 1;
            child.kill('SIGINT');
          } else if (sent === 1 && /Stopping:/.test(d.toString())) {
            sent = 2;
            child.kill('SIGINT');
          }
        }),
    });
    assert.equal(sent, 2, result.stderr);
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stderr, /Interrupted again: exiting now/);
    assert.doesNotMatch(result.stderr, /Apply interrupted:/, 'it did not wait for the in-flight changes');
    assert.ok(countWrites(sim) < EXTRA);
  } finally {
    await sim.close();
  }
});

/** Runs the CLI and sends SIGINT `times` times: first once the simulator has answered a request, again after "Stopping:". */
async function interrupted(
  args: (sim: Sim) => string[],
  times: 1 | 2,
  latencyMs: number,
): Promise<{ result: CliResult; sent: number; requestsAtStop: number; requests: number }> {
  const sim = await startSim(seedWithApacRemovals(EXTRA), { timeScale: 60, latencyMs });
  try {
    let sent = 0;
    let requestsAtStop = 0;
    const result = await runCli(args(sim), cliEnv(sim), {
      onChild: (child) => {
        const poll = setInterval(() => {
          if (sent === 0 && countRequests(sim) > 0) {
            sent = 1;
            requestsAtStop = countRequests(sim);
            child.kill('SIGINT');
          }
        }, 5);
        child.on('close', () => clearInterval(poll));
        child.stderr!.on('data', (d: Buffer) => {
          if (times === 2 && sent === 1 && /Stopping:/.test(d.toString())) {
            sent = 2;
            child.kill('SIGINT');
          }
        });
      },
    });
    return { result, sent, requestsAtStop, requests: countRequests(sim) };
  } finally {
    await sim.close();
  }
}

const READERS: Record<string, (sim: Sim) => string[]> = {
  plan: () => ['plan'],
  check: () => ['check'],
  export: (sim) => [
    'export',
    '--hub-url',
    sim.orgs.hub!.url,
    '--spoke',
    `emea=${sim.orgs.emea!.url}`,
    '--spoke',
    `apac=${sim.orgs.apac!.url}`,
  ],
};

for (const [command, args] of Object.entries(READERS)) {
  test(`first Ctrl-C while ${command} reads: what is in flight is cut off, nothing new is sent, "Interrupted", exit 130`, async () => {
    const { result, sent, requestsAtStop, requests } = await interrupted(args, 1, 300);
    assert.equal(sent, 1);
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stderr, /Stopping: reads in flight are cut off, nothing new is sent\. Ctrl-C again to exit at once\./);
    assert.match(result.stderr, /^Interrupted: /m);
    assert.doesNotMatch(result.stderr, /error:|internal error/);
    assert.equal(result.stdout, '', 'no plan, table or config from a partial read');
    // At most what was in flight when the signal landed: 3 orgs (and the provisioning-token
    // checks) at the clients' starting in-flight limit each.
    assert.ok(requests - requestsAtStop <= 5 * INITIAL_IN_FLIGHT, `${requests - requestsAtStop} requests after Ctrl-C`);
  });
}

test('Ctrl-C while plan waits for slow answers: the reads are cut off, exit 130, no plan', async () => {
  // Answers take 1.5 s: the reads in flight are cut off, not waited for (the client's own test
  // shows the cut-off by calls: test/okta/interrupt.test.ts). A second Ctrl-C is then not needed.
  const { result, sent } = await interrupted(READERS.plan!, 1, 1500);
  assert.equal(sent, 1, result.stderr);
  assert.equal(result.code, 130, result.stdout + result.stderr);
  assert.match(result.stderr, /^Interrupted: the orgs were not read to the end/m);
  assert.equal(result.stdout, '');
});
