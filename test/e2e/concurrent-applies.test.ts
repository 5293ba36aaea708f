/**
 * Two applies at once (an admin's and CI's) leave one Org2Org app in the Spoke and one service
 * app in the Hub, with no lock service. The simulator forces the adverse order every time: a
 * barrier on the create route holds each create until both have arrived, so both objects exist
 * before either apply lists them. Each apply then picks the same survivor (earliest created,
 * then lowest id); the loser removes its own and fails its create, so nothing was built on it.
 * A third apply (or any later plan) sees the survivor and finishes the work.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runApply } from '../../src/cli/commands/apply.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import { survivor } from '../../src/apply/unique-create.js';
import { loadSeed, startSim, type FaultRule, type Sim, type SimSeed } from '../../src/sim/index.js';
import { cliEnv } from './cli.js';

const RUNS = Number(process.env.RACE_RUNS ?? 20);
const ARGS = ['-c', 'org2org.config.yaml', '--spoke', 'apac', '--auto-approve', '--no-color'];

function sink(): { text: () => string; io: { stdout: (t: string) => void; stderr: (t: string) => void } } {
  let all = '';
  return { text: () => all, io: { stdout: (t) => void (all += t), stderr: (t) => void (all += t) } };
}

async function apply(sim: Sim): Promise<{ code: number; text: string }> {
  const out = sink();
  try {
    return { code: await runApply(ARGS, { ...out.io, env: cliEnv(sim) }), text: out.text() };
  } catch (error) {
    return { code: 1, text: out.text() + String((error as Error).message) };
  }
}

/** The apac apps labelled "Acme Hub" and the Hub's clients named org2org-apac, whatever their status. */
function census(sim: Sim): { apps: number; serviceApps: number } {
  return {
    apps: sim
      .org('apac')
      .apps.values()
      .filter((a) => a.name === 'okta_org2org' && a.label === 'Acme Hub').length,
    serviceApps: sim
      .org('hub')
      .apps.values()
      .filter((a) => a.oauth?.clientName === 'org2org-apac').length,
  };
}

/** Every change planned is made: a plan of apac has nothing left to do. */
async function converged(sim: Sim): Promise<boolean> {
  const out = sink();
  const code = await runPlan(['-c', 'org2org.config.yaml', '--spoke', 'apac', '--detailed-exitcode', '--no-color'], {
    ...out.io,
    env: cliEnv(sim),
  });
  return code === 0;
}

/** Both applies reach `path`'s create, and neither create is made before the other arrived. */
function raceOn(org: string, path: string): FaultRule {
  // The hold's bound is only a backstop (a create that never comes): both arrive by construction.
  return { kind: 'barrier', count: 2, times: 2, method: 'POST', path, org, delayMs: 120_000 };
}

/** A third apply after the race exits 0 on the survivor, and a plan then has nothing to do. */
async function finishes(sim: Sim, run: number): Promise<void> {
  const third = await apply(sim);
  assert.equal(third.code, 0, third.text);
  assert.deepEqual(census(sim), { apps: 1, serviceApps: 1 });
  assert.ok(await converged(sim), `run ${run}: not converged`);
}

async function race(sim: Sim): Promise<{ codes: number[]; texts: string[] }> {
  const [a, b] = await Promise.all([apply(sim), apply(sim)]);
  return { codes: [a!.code, b!.code].sort(), texts: [a!.text, b!.text] };
}

describe('two applies at once', () => {
  test(`racing on the Spoke's Org2Org app: one app and one service app, ${RUNS} of ${RUNS} runs`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const sim = await startSim('examples/sim/seed.yaml', {
        timeScale: 60,
        provisioningDelayMs: 0,
        faults: [raceOn('apac', '/api/v1/apps')],
      });
      try {
        const { codes, texts } = await race(sim);
        assert.deepEqual(census(sim), { apps: 1, serviceApps: 1 }, `run ${run}:\n${texts.join('\n----\n')}`);
        // The loser says what happened and fails (exit 1); the winner finishes (exit 0).
        assert.deepEqual(codes, [0, 1], `run ${run}:\n${texts.join('\n----\n')}`);
        assert.ok(
          texts.some((t) => /another apply created the same app at the same time .* was removed again/.test(t)),
          texts.join('\n----\n'),
        );
        // An apply started after the race builds on the survivor, and nothing is left to do
        // (checked on the first and last runs: the same path each time, at a few seconds a run).
        if (run === 0 || run === RUNS - 1) await finishes(sim, run);
      } finally {
        await sim.close();
      }
    }
  });

  test(`racing on the Hub's service app: one service app, ${RUNS} of ${RUNS} runs`, async () => {
    // apac's app exists (with no connection yet): both applies plan the service app's create.
    const seed = structuredClone(loadSeed('examples/sim/seed.yaml')) as SimSeed;
    seed.orgs.apac!.apps = [{ label: 'Acme Hub', hub: 'hub' }];
    for (let run = 0; run < RUNS; run++) {
      const sim = await startSim(seed, { timeScale: 60, provisioningDelayMs: 0, faults: [raceOn('hub', '/oauth2/v1/clients')] });
      try {
        const { codes, texts } = await race(sim);
        assert.deepEqual(census(sim), { apps: 1, serviceApps: 1 }, `run ${run}:\n${texts.join('\n----\n')}`);
        assert.ok(codes.includes(1), `run ${run}: the loser must fail its create:\n${texts.join('\n----\n')}`);
        assert.ok(
          texts.some((t) => /another apply created the same service app at the same time .* was removed again/.test(t)),
          texts.join('\n----\n'),
        );
        if (run === 0 || run === RUNS - 1) await finishes(sim, run);
      } finally {
        await sim.close();
      }
    }
  });

  test('the survivor rule: earliest created, then lowest id, whatever order the list came in', () => {
    const made = [
      { id: 'b', createdMs: 1000 },
      { id: 'a', createdMs: 1000 },
      { id: 'c', createdMs: 999 },
      { id: 'd', createdMs: Number.NaN },
    ];
    for (let i = 0; i < 4; i++) {
      const rotated = [...made.slice(i), ...made.slice(0, i)];
      assert.equal(survivor(rotated).id, 'c');
      assert.equal(survivor(rotated.filter((m) => m.id !== 'c')).id, 'a');
    }
  });
});
