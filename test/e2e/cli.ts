/**
 * Shared by the end-to-end tests: run the CLI as a child process (the way users run it) against a
 * simulator living in the test process, count the simulator's writes, and look for canaries.
 */
import { loadSeed, seedUsers, type Sim, type SimSeed } from '../../src/sim/index.js';

export const CANARY_ANSWER = 'canary-e2e-alice-answer-7f3d';

export { runCli, type CliResult } from '../run-cli.js';

/** The simulator's env with the security answer replaced by a canary. */
export function cliEnv(sim: Sim): Record<string, string> {
  return { ...sim.env, ALICE_ANSWER: CANARY_ANSWER };
}

const WRITE = /^(POST|PUT|PATCH|DELETE) /;

/** Write requests (POST/PUT/PATCH/DELETE) every org of the simulator has answered so far. */
export function countWrites(sim: Sim): number {
  let n = 0;
  for (const org of Object.keys(sim.orgs)) {
    for (const [route, count] of Object.entries(sim.stats(org).byRoute)) if (WRITE.test(route)) n += count;
  }
  return n;
}

/** Every request (reads included) the simulator has answered so far. */
export function countRequests(sim: Sim): number {
  return Object.keys(sim.orgs).reduce((n, org) => n + sim.stats(org).total, 0);
}

/** The canary answer and every token value of the simulator: none may appear in `text`. */
export function findLeaks(sim: Sim, text: string): string[] {
  const leaks: string[] = [];
  if (text.includes(CANARY_ANSWER)) leaks.push('ALICE_ANSWER');
  for (const [name, value] of Object.entries(sim.env)) {
    if (name.endsWith('_TOKEN') && text.includes(value)) leaks.push(name);
  }
  for (const [org, { tokens }] of Object.entries(sim.orgs)) {
    for (const [name, value] of Object.entries(tokens)) if (text.includes(value)) leaks.push(`${org}/${name}`);
  }
  return leaks;
}

/** examples/sim/seed.yaml plus an apac Acme Hub app with `count` USER assignments the config doesn't list (apac is authoritative). */
export function seedWithApacRemovals(count: number): SimSeed {
  const seed = loadSeed('examples/sim/seed.yaml');
  const extra = seedUsers(count, { prefix: 'temp', domain: 'apac.acme.com' });
  const apac = seed.orgs.apac!;
  apac.users = [...(apac.users ?? []), ...extra];
  apac.apps = [
    {
      label: 'Acme Hub',
      hub: 'hub',
      connection: { authScheme: 'TOKEN', token: 'hub/OKTA_HUB_PROVISIONING_TOKEN' },
      provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false },
      users: extra.map((u) => ({ login: u.login })),
    },
  ];
  return seed;
}
