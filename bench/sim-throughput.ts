/**
 * Simulator speed: time to seed 100,000 users, and requests per second with no latency
 * injected (rate limits lifted so that only the server's speed counts).
 *   npx tsx bench/sim-throughput.ts [seconds=3] [concurrency=32]
 */
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { buildSeed, startSim, type BucketId } from '../src/sim/index.js';

const seconds = Number(process.argv[2] ?? 3);
const concurrency = Number(process.argv[3] ?? 32);

const seedStart = performance.now();
const big = await startSim(buildSeed({ spokes: [{ name: 'big', users: 100_000, assigned: 0 }] }));
const seedMs = performance.now() - seedStart;
await big.close();
console.log(`seed: 100,000 users in ${seedMs.toFixed(0)} ms`);

const unlimited = Object.fromEntries(
  ['apps', 'app', 'groups', 'group', 'users', 'user', 'oauth', 'default'].map((b) => [b, 1e9]),
) as Record<BucketId, number>;
const sim = await startSim(buildSeed({ spokes: [{ name: 'emea', users: 2_000, assigned: 2_000, groups: 20, pushed: 10 }] }), {
  rateLimits: unlimited,
  concurrencyLimit: 10_000,
});
const { url, tokens } = sim.orgs.emea!;
const headers = { authorization: `SSWS ${tokens.OKTA_EMEA_TOKEN}`, accept: 'application/json' };
const appId = sim.org('emea').apps.values()[0]!.id;
const userIds = sim
  .org('emea')
  .apps.values()[0]!
  .users.values()
  .map((u) => u.id);
// A read-heavy mix like a plan: single users, small pages of app users, app user reads.
const paths = [
  (i: number) => `/api/v1/users/${userIds[i % userIds.length]}`,
  () => `/api/v1/apps/${appId}/users?limit=20`,
  (i: number) => `/api/v1/apps/${appId}/users/${userIds[i % userIds.length]}`,
  () => `/api/v1/apps/${appId}`,
];

// node:http with keep-alive: a lighter client than fetch, so the figure is the server's.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
function request(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(target, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

let done = 0;
let failed = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async (_, w) => {
    for (let i = w; performance.now() < deadline; i += concurrency) {
      const status = await request(url + paths[i % paths.length]!(i));
      if (status === 200) done++;
      else if (failed++ === 0) console.log(`first failure: ${status} ${paths[i % paths.length]!(i)}`);
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
await sim.close();
console.log(
  `throughput: ${(done / elapsed).toFixed(0)} req/s (${done} ok, ${failed} failed, ${concurrency} concurrent, ${elapsed.toFixed(1)} s, no latency)`,
);
