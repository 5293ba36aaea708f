/**
 * The Okta simulator: Hub and Spoke orgs on loopback, one HTTP server (origin) per org.
 *
 *   const sim = await startSim('examples/sim/seed.yaml', { timeScale: 60 });
 *   sim.orgs.emea.url; sim.orgs.emea.tokens.OKTA_EMEA_TOKEN; sim.env.OKTA_HUB_URL;
 *   sim.stats('emea').byRoute['GET /api/v1/apps/{appId}/users'];
 *   await sim.close();
 */
import { advanceClock, simNow } from './clock.js';
import { createRng, FaultInjector } from './faults.js';
import { actingAs, clientActor, setLogLag, userActor } from './log-events.js';
import { SimOrg } from './org-state.js';
import { importHubGroups, SimWorld } from './provisioning.js';
import { compileRoutes } from './router.js';
import { APP_ROUTES } from './routes-apps.js';
import { DIRECTORY_ROUTES } from './routes-directory.js';
import { OAUTH_ROUTES } from './oauth.js';
import { CLIENT_ROUTES } from './routes-clients.js';
import { IDP_ROUTES } from './routes-idps.js';
import { META_ROUTES } from './routes-meta.js';
import { API_TOKEN_ROUTES } from './routes-api-tokens.js';
import { LOG_ROUTES } from './system-log.js';
import { loadSeed, populateApps, populateDirectory, resolveEnv, validateSeed } from './seed.js';
import { OrgServer } from './server.js';
import type { BucketId, Sim, SimOptions, SimSeed, SimStats } from './types.js';
import { DEFAULT_RATE_LIMITS } from './types.js';

export type * from './types.js';
export { DEFAULT_RATE_LIMITS, INITIAL_STATUSES } from './types.js';
export { buildSeed, seedUsers, type BuildSeedOptions, type SpokeSpec } from './build-seed.js';
export { buildWorld, type World, type WorldSpec, type SpokeShape } from './build-world.js';
export { loadSeed, validateSeed, SeedError } from './seed.js';
export { parseFaultSpec } from './faults.js';
export { HUB_STATUS_BY_INITIAL_STATUS } from './provisioning.js';
export { SimOrg } from './org-state.js';
export { consoleChange, ConsoleError, type ConsoleChange } from './console.js';
export type { LogEvent } from './system-log.js';
export type { SimApp, SimAppUser, SimGroup, SimPushMapping, SimUser } from './org-state.js';

/** Every route the simulator serves (tests enumerate its writes: each one must be logged). */
export const ROUTES = compileRoutes([
  ...APP_ROUTES,
  ...CLIENT_ROUTES,
  ...IDP_ROUTES,
  ...META_ROUTES,
  ...API_TOKEN_ROUTES,
  ...LOG_ROUTES,
  ...DIRECTORY_ROUTES,
  ...OAUTH_ROUTES,
]);

export async function startSim(seed: SimSeed | string, options: SimOptions = {}): Promise<Sim> {
  const doc = typeof seed === 'string' ? loadSeed(seed) : seed;
  if (typeof seed !== 'string') validateSeed(doc, 'object');
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error('sim: timeScale must be > 0');
  const rng = createRng(options.rngSeed ?? 1);
  const rateLimits = { ...DEFAULT_RATE_LIMITS } as Record<BucketId, number>;
  for (const [k, v] of Object.entries(options.rateLimits ?? {})) if (v !== undefined) rateLimits[k as BucketId] = v;
  const settings = {
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    timeScale,
    rateLimits,
    concurrencyLimit: options.concurrencyLimit ?? 75,
    faults: new FaultInjector(options.faults ?? [], rng),
    rng,
    // Windows start on a whole second, so with timeScale 60 they end exactly on `Reset`.
    epoch: Math.floor(simNow() / 1000) * 1000,
  };
  // A seed describes the world as it already is: its assignments are provisioned at once, and
  // the provisioning delay applies only to what happens through the API afterwards.
  const world = new SimWorld(0);
  const servers = new Map<string, OrgServer>();
  try {
    let index = 0;
    for (const name of Object.keys(doc.orgs)) {
      const org = new SimOrg(name, index++);
      world.orgs.set(name, org);
      const server = new OrgServer(org, world, ROUTES, settings);
      servers.set(name, server);
      org.url = await server.listen();
    }
    for (const [name, org] of world.orgs) populateDirectory(org, doc.orgs[name] ?? {});
    for (const [name, org] of world.orgs) populateApps(world, org, doc.orgs[name] ?? {});
    world.provisioningDelayMs = options.provisioningDelayMs ?? 0;
    world.held = options.holdProvisioning ?? false;
    if (options.logLagMs !== undefined) {
      if (!(options.logLagMs >= 0)) throw new Error('sim: logLagMs must be >= 0');
      for (const org of world.orgs.values()) setLogLag(org, options.logLagMs);
    }
  } catch (err) {
    world.close();
    await Promise.all([...servers.values()].map((s) => s.close()));
    throw err;
  }

  const server = (name: string): OrgServer => {
    const s = servers.get(name);
    if (!s) throw new Error(`sim: no org named "${name}" (orgs: ${[...servers.keys()].join(', ')})`);
    return s;
  };
  let closed = false;
  return {
    orgs: Object.fromEntries([...world.orgs].map(([name, org]) => [name, { url: org.url, tokens: { ...org.tokenValues } }])),
    env: resolveEnv(world, doc.env),
    org: (name) => world.org(name),
    importHubGroups: (spoke, appLabel) => {
      const org = world.org(spoke);
      const app = org.apps.values().find((a) => a.label === appLabel);
      if (!app) throw new Error(`sim: no app labelled "${appLabel}" in ${spoke}`);
      // A console click: the APP_GROUPs it makes are logged, as the org's (first) Super Administrator.
      const admin = org.users.values().find((u) => u.roles.includes('SUPER_ADMIN'));
      const acting = { actor: admin ? userActor(admin) : clientActor('unknown'), console: true };
      return actingAs(acting, () => importHubGroups(world, org, app));
    },
    stats: (name): SimStats => structuredClone(server(name).stats),
    now: () => simNow(),
    holdProvisioning: (hold) => {
      world.held = hold;
    },
    releaseProvisioning: () => world.release(),
    advance: (ms) => advanceClock(ms),
    setLogLag: (ms, orgName) => {
      if (!(ms >= 0)) throw new Error('sim: a log lag must be >= 0');
      for (const org of orgName === undefined ? world.orgs.values() : [world.org(orgName)]) setLogLag(org, ms);
    },
    resetStats: () => {
      for (const s of servers.values()) s.resetStats();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      world.close();
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}
