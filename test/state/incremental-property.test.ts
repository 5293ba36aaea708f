/**
 * Proof of equality for the incremental read (issue 28): the simulator goes through a random
 * sequence of console changes of every kind it offers (apps, people, groups, members; the Hub's
 * directory too) and of org2org applies (a random config, planned and applied through the real
 * read, planner and apply code), and after every step the incremental plan (`readWithSnapshot`
 * from the previous step's snapshot) must equal the full plan, change for change: the plan file's
 * JSON (`plan --format json`), fingerprints included, diagnostics in any order. No step may fall
 * back to a full read unless it did something that must make it fall back, and then for that reason.
 * Some steps leave out of the Spokes' logs what the read says it doesn't rely on (per-member
 * app-user events, provisioning outcomes); in every other block of LAG_BLOCK steps the System Log lags
 * behind each write, and the lag is waited out (on the sim's clock) before the comparison. Runs
 * with an odd seed provision with a delay (app users in flight for a few steps, landing as the
 * clock passes), so what the read does with provisioning in flight is held to a full read too.
 *
 * Cost (CI runs thousands of steps): the readers and the planner are called directly (no CLI, no
 * rendering to text, the snapshot kept in memory and sent through the file format every
 * ROUND_TRIP steps), one simulator per run with its rate limits lifted (pacing is not what is
 * tested here), time moved on the sim's clock instead of waited for, the full read skipped while
 * the orgs' state is what the last one saw (so its plan stands), and two runs at once in worker threads.
 *
 * ORG2ORG_INCREMENTAL_STEPS / ORG2ORG_INCREMENTAL_SEED / ORG2ORG_INCREMENTAL_WORKERS change the run;
 * a failure names the seed and the step (and how to run just that), what the last steps did and the
 * plan entries that differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  consoleChange,
  ConsoleError,
  DEFAULT_RATE_LIMITS,
  INITIAL_STATUSES,
  startSim,
  type ConsoleChange,
  type LogEvent,
  type Sim,
  type SimApp,
  type SimGroup,
  type SimOrg,
  type SimUser,
} from '../../src/sim/index.js';
import { createRng } from '../../src/sim/faults.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import type { DesiredState } from '../../src/config/types.js';
import { buildClients } from '../../src/cli/clients.js';
import { readLiveState, type LiveClients } from '../../src/state/read-live-state.js';
import type { LiveState } from '../../src/state/types.js';
import { parseSnapshot, readWithSnapshot, type IncrementalOptions, type Snapshot } from '../../src/state/incremental.js';
import { createPlan, toPlanFile } from '../../src/plan/create-plan.js';
import { DEFAULT_ALLOWANCES } from '../../src/plan/guards.js';
import { renderPlanJson } from '../../src/render/json.js';
import { applyPlan } from '../../src/apply/apply-plan.js';
import { withSortedDiagnostics } from '../builders/plan-json.js';

const FIXTURES = new URL('../export/fixtures/drift/', import.meta.url);
const SEED_FILE = new URL('seed.yaml', FIXTURES).pathname;
/** Steps in all, shared among WORKERS runs; run i starts from seed SEED + i. */
const STEPS = Number(process.env.ORG2ORG_INCREMENTAL_STEPS ?? 2500);
const SEED = Number(process.env.ORG2ORG_INCREMENTAL_SEED ?? 28);
const WORKERS = Number(process.env.ORG2ORG_INCREMENTAL_WORKERS ?? 2);
/** Every this many steps the snapshot goes through its file format (JSON text, `parseSnapshot`) as `plan --snapshot` keeps it. */
const ROUND_TRIP = 10;
/** Time between two steps on the sim's clock: more than the read's overlap (5 min), so a log query holds a step or two. */
const STEP_MS = 10 * 60_000;
/** The System Log's lag in the lagged part of a run: within the read's overlap, as Okta's near-real-time log is. */
const LAG_MS = 2 * 60_000;
/**
 * In runs with an odd seed, how long provisioning takes: a few steps on the sim's clock, and longer
 * than any run lasts in real time (the sim's real-time timer never fires first).
 */
const PROVISIONING_DELAY_MS = 25 * 60_000;
/** Runs alternate blocks of this many steps without and with the lag. */
const LAG_BLOCK = 250;
/** Lifted: a run of thousands of reads is not a test of pacing. */
const NO_RATE_LIMITS = Object.fromEntries(Object.keys(DEFAULT_RATE_LIMITS).map((bucket) => [bucket, 1e9]));

/** The orgs' users and groups (the drift fixture's world: a Hub and two Spokes). */
const WORLD = {
  emea: {
    users: ['alice@acme.com', 'bob@acme.com', 'chloe@acme.com', 'dieter@acme.com'],
    groups: ['EMEA Sales', 'Engineering', 'Finance', 'Ops Team', 'Marketing'],
  },
  apac: { users: ['kenji@acme.com', 'mei@acme.com', 'sora@acme.com'], groups: ['APAC Support'] },
} as const;
type SpokeName = keyof typeof WORLD;
const SPOKES = Object.keys(WORLD) as SpokeName[];
type OrgName = SpokeName | 'hub';
const ORGS: readonly OrgName[] = ['hub', ...SPOKES];

/** The config every plan of the property is made from (the fixture's, with Hub credentials so the Hub is read too). */
async function plannedConfig(): Promise<string> {
  const text = await readFile(new URL('config.yaml', FIXTURES), 'utf8');
  const withHub = text.replace(
    'hub:\n  url: ${OKTA_HUB_URL}\n',
    'hub:\n  url: ${OKTA_HUB_URL}\n  auth:\n    token: ${OKTA_HUB_PROVISIONING_TOKEN}\n',
  );
  assert.notEqual(withHub, text);
  return withHub;
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const subset = <T>(r: Rng, xs: readonly T[], p = 0.5): T[] => xs.filter(() => r() < p);

async function load(sim: Sim, dir: string, name: string, text: string): Promise<DesiredState> {
  const file = join(dir, name);
  await writeFile(file, text);
  return (await loadConfig(file, { env: sim.env, requireSecrets: true })).desired;
}

/**
 * Who and what a console change may name in each org: the seed's people and groups and a few
 * names that exist only once a change creates (or renames something to) them, so the world keeps
 * turning over without growing. The Hub's people are the Spokes' (provisioned there under the same
 * login); its groups are the push targets.
 */
const PEOPLE: Record<OrgName, readonly string[]> = {
  emea: [...WORLD.emea.users, 'erik@acme.com', 'fay@acme.com'],
  apac: [...WORLD.apac.users, 'tao@acme.com'],
  hub: [...WORLD.emea.users, ...WORLD.apac.users, 'erik@acme.com', 'tao@acme.com'],
};
const GROUPS: Record<OrgName, readonly string[]> = {
  emea: [...WORLD.emea.groups, 'EMEA Legal'],
  apac: [...WORLD.apac.groups, 'APAC Ops'],
  hub: ['Engineering', 'Finance', 'APAC Support', 'Finance (emea)', 'APAC Support (apac)', 'Hub Admins'],
};
const NAMES = ['Ada', 'Ben', 'Cleo', 'Dan'];

/**
 * A console change of each kind `ConsoleChange` has, drawn at random: `app` kinds act on a Spoke's
 * Org2Org app, `directory` kinds on any org's people and groups (the Hub's too). Mostly what an
 * admin would click given the org as it is (a person who exists, a group that has that member…),
 * sometimes anything: a change Okta refuses must change nothing. A kind the compiler finds without
 * a generator here fails `tsc`.
 */
const CONSOLE_CHANGES = {
  assignUser: app((r, org, o) => ({ assignUser: person(r, o, org, is('ACTIVE')), initialStatus: pick(r, INITIAL_STATUSES) })),
  unassignUser: app((r, org, o) => ({ unassignUser: person(r, o, org, (u) => exists(u) && orgApp(o)?.users.has(u.id) === true) })),
  assignGroup: app((r, org, o) => ({ assignGroup: group(r, o, org, (g) => oktaGroup(g) && !orgApp(o)?.groups.has(g.id)) })),
  unassignGroup: app((r, org, o) => ({ unassignGroup: group(r, o, org, (g) => oktaGroup(g) && orgApp(o)?.groups.has(g.id) === true) })),
  pushGroup: app((r, org, o) => {
    const name = group(r, o, org, (g) => oktaGroup(g) && !pushed(o, g));
    return { pushGroup: name, targetName: r() < 0.7 ? name : `${name} (${org})`, status: pick(r, ['ACTIVE', 'INACTIVE'] as const) };
  }),
  pushStatus: app((r, org, o) => ({ pushStatus: group(r, o, org, (g) => pushed(o, g)), status: pick(r, ['ACTIVE', 'INACTIVE'] as const) })),
  unpushGroup: app((r, org, o) => ({ unpushGroup: group(r, o, org, (g) => pushed(o, g)) })),
  toApp: app((r) => ({ toApp: pick(r, ['createUsers', 'updateUserAttributes', 'deactivateUsers'] as const), enabled: r() < 0.5 })),
  createUser: directory((r, org, o) => ({
    createUser: person(r, o, org, (u) => u === undefined),
    profile: { firstName: pick(r, NAMES), lastName: 'Doe' },
    activate: r() < 0.8,
  })),
  updateUser: directory((r, org, o) => ({
    updateUser: person(r, o, org, exists),
    // A new username, or another attribute (the Hub gets profile updates pushed when the feature is on).
    profile: r() < 0.3 ? { login: person(r, o, org, (u) => u === undefined) } : { firstName: pick(r, NAMES) },
  })),
  deactivateUser: directory((r, org, o) => ({ deactivateUser: person(r, o, org, (u) => exists(u) && u.status !== 'DEPROVISIONED') })),
  suspendUser: directory((r, org, o) => ({ suspendUser: person(r, o, org, is('ACTIVE')) })),
  unsuspendUser: directory((r, org, o) => ({ unsuspendUser: person(r, o, org, is('SUSPENDED')) })),
  reactivateUser: directory((r, org, o) => ({ reactivateUser: person(r, o, org, is('DEPROVISIONED', 'STAGED', 'PROVISIONED')) })),
  deleteUser: directory((r, org, o) => ({ deleteUser: person(r, o, org, exists) })),
  createGroup: directory((r, org, o) => ({ createGroup: group(r, o, org, (g) => g === undefined) })),
  renameGroup: directory((r, org, o) => ({ renameGroup: group(r, o, org, oktaGroup), to: group(r, o, org, (g) => g === undefined) })),
  deleteGroup: directory((r, org, o) => ({ deleteGroup: group(r, o, org, oktaGroup) })),
  addMember: directory((r, org, o) => {
    const to = group(r, o, org, (g) => oktaGroup(g) && (r() < 0.3 || watched(o, g)));
    const members = o.findGroupByName(to)?.members;
    return { addMember: person(r, o, org, (u) => exists(u) && !members?.has(u.id)), group: to };
  }),
  removeMember: directory((r, org, o) => {
    const from = group(r, o, org, (g) => oktaGroup(g) && g.members.size > 0 && (r() < 0.3 || watched(o, g)));
    const members = o.findGroupByName(from)?.members;
    return { removeMember: person(r, o, org, (u) => exists(u) && members?.has(u.id) === true), group: from };
  }),
};

interface Generator<C> {
  /** The orgs a change of this kind is made in. */
  orgs: readonly OrgName[];
  make: (r: Rng, org: OrgName, state: SimOrg) => C;
}
function app<C>(make: Generator<C>['make']): Generator<C> {
  return { orgs: SPOKES, make };
}
function directory<C>(make: Generator<C>['make']): Generator<C> {
  return { orgs: ORGS, make };
}

/** Mostly the `names` that are there (a config lists what exists), sometimes all of them. */
function mostlyThere(r: Rng, names: readonly string[], there: (name: string) => boolean): readonly string[] {
  return r() < 0.9 ? names.filter(there) : names;
}

/** Mostly one of `names` that fits, sometimes any of them. */
function choose(r: Rng, names: readonly string[], fits: (name: string) => boolean): string {
  const fitting = names.filter(fits);
  return fitting.length > 0 && r() < 0.85 ? pick(r, fitting) : pick(r, names);
}
const person = (r: Rng, o: SimOrg, org: OrgName, fits: (u: SimUser | undefined) => boolean): string =>
  choose(r, PEOPLE[org], (login) => fits(o.findUser(login)));
const group = (r: Rng, o: SimOrg, org: OrgName, fits: (g: SimGroup | undefined) => boolean): string =>
  choose(r, GROUPS[org], (name) => fits(o.findGroupByName(name)));
const exists = (u: SimUser | undefined): u is SimUser => u !== undefined;
const is =
  (...statuses: string[]) =>
  (u: SimUser | undefined): boolean =>
    u !== undefined && statuses.includes(u.status);
const oktaGroup = (g: SimGroup | undefined): g is SimGroup => g?.type === 'OKTA_GROUP';
/** The org's Org2Org app (a Spoke's). */
const orgApp = (o: SimOrg): SimApp | undefined => o.apps.values().find((a) => a.name === 'okta_org2org');
/** A group whose members the read follows: assigned to the app or pushed (in a Spoke), a push target (in the Hub). */
const watched = (o: SimOrg, g: SimGroup): boolean =>
  orgApp(o) === undefined ? GROUPS.hub.includes(g.profile.name) : orgApp(o)!.groups.has(g.id) || pushed(o, g);
const pushed = (o: SimOrg, g: SimGroup | undefined): boolean =>
  g !== undefined &&
  orgApp(o)
    ?.pushMappings.values()
    .some((m) => m.sourceGroupId === g.id) === true;

type Covered = ReturnType<(typeof CONSOLE_CHANGES)[keyof typeof CONSOLE_CHANGES]['make']>;
/** The kinds of `ConsoleChange` no generator above makes: must be none. */
type Uncovered = ConsoleChange extends infer K ? (K extends unknown ? ([Extract<Covered, K>] extends [never] ? K : never) : never) : never;
const everyKindCovered: [Uncovered] extends [never] ? true : Uncovered = true;
assert.ok(everyKindCovered, 'a generator for every ConsoleChange kind');
type ChangeKind = keyof typeof CONSOLE_CHANGES;
const KINDS = Object.keys(CONSOLE_CHANGES) as ChangeKind[];
/** How often each kind is drawn, relative to 1: what moves app users and member lists most often, as in a real org. */
const WEIGHT: Partial<Record<ChangeKind, number>> = {
  assignUser: 3,
  unassignUser: 2,
  assignGroup: 2,
  unassignGroup: 2,
  pushGroup: 2,
  addMember: 4,
  removeMember: 3,
};
const DRAW: ChangeKind[] = KINDS.flatMap((k) => Array<ChangeKind>(WEIGHT[k] ?? 1).fill(k));

/** A random config for an apply: any Spoke's lists, modes and To App features (never one the planned config must agree with). */
function randomConfig(r: Rng, sim: Sim): string {
  const spokes = SPOKES.filter(() => r() < 0.8);
  if (spokes.length === 0) spokes.push(pick(r, SPOKES));
  const mode = (): string => pick(r, ['additive', 'authoritative']);
  const config = {
    version: 1,
    hub: { url: '${OKTA_HUB_URL}', auth: { token: '${OKTA_HUB_PROVISIONING_TOKEN}' } },
    spokes: spokes.map((name) => ({
      name,
      url: `\${OKTA_${name.toUpperCase()}_URL}`,
      auth: { token: `\${OKTA_${name.toUpperCase()}_TOKEN}` },
      app: { label: 'Acme Hub' },
      connection: { authScheme: 'TOKEN', token: '${OKTA_HUB_PROVISIONING_TOKEN}' },
      provisioning: {
        toApp: { createUsers: r() < 0.8, updateUserAttributes: r() < 0.7, deactivateUsers: r() < 0.5, syncPassword: false },
      },
      assignments: {
        mode: mode(),
        users: subset(
          r,
          mostlyThere(r, PEOPLE[name], (login) => sim.org(name).findUser(login) !== undefined),
        ).map((login) => ({
          login,
          initialStatus: pick(r, INITIAL_STATUSES),
          ...(login === 'alice@acme.com' && r() < 0.5 ? { securityQuestion: 'First pet?', securityAnswer: '${ALICE_ANSWER}' } : {}),
        })),
        groups: subset(
          r,
          mostlyThere(r, GROUPS[name], (g) => oktaGroup(sim.org(name).findGroupByName(g))),
          0.3,
        ).map((group) => ({
          name: group,
        })),
      },
      pushGroups: {
        mode: mode(),
        groups: subset(
          r,
          mostlyThere(r, GROUPS[name], (g) => oktaGroup(sim.org(name).findGroupByName(g))),
          0.3,
        ).map((group) => ({
          name: group,
          ...(r() < 0.2 ? { targetName: `${group} (${name})` } : {}),
          ...(r() < 0.2 ? { status: 'INACTIVE' } : {}),
        })),
      },
    })),
  };
  return JSON.stringify(config);
}

const PLAN_OPTIONS = { maxApiCapacity: 0.5, toolVersion: 'property-test' };

/** The plan as `plan --format json` writes it, diagnostics sorted (a full read's notes arrive in the order its reads end). */
function planOf(desired: DesiredState, live: LiveState): PlanJson {
  const json = JSON.parse(renderPlanJson(toPlanFile(createPlan(desired, live, PLAN_OPTIONS), live))) as PlanJson;
  return withSortedDiagnostics(json) as PlanJson;
}

interface PlanJson {
  spokes: { name: string; changes: { address: string }[] }[];
  fingerprints: Record<string, string>;
  [key: string]: unknown;
}

/** The entries in which two plans differ, one line each (what a failure shows, not the whole plans). */
function planDifferences(incremental: PlanJson, full: PlanJson): string[] {
  const out: string[] = [];
  const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));
  for (const key of new Set([...Object.keys(incremental), ...Object.keys(full)])) {
    if (key === 'spokes' || key === 'fingerprints') continue;
    if (!isDeepStrictEqual(incremental[key], full[key])) out.push(`${key}: incremental ${show(incremental[key])}, full ${show(full[key])}`);
  }
  for (const key of new Set([...Object.keys(incremental.fingerprints), ...Object.keys(full.fingerprints)])) {
    const a = incremental.fingerprints[key];
    const b = full.fingerprints[key];
    if (a !== b) out.push(`fingerprint ${key}: incremental ${show(a)}, full ${show(b)}`);
  }
  const spokes = new Set([...incremental.spokes, ...full.spokes].map((s) => s.name));
  for (const name of spokes) {
    const a = incremental.spokes.find((s) => s.name === name);
    const b = full.spokes.find((s) => s.name === name);
    if (!a || !b) {
      out.push(`spoke ${name}: incremental ${a ? 'planned' : 'absent'}, full ${b ? 'planned' : 'absent'}`);
      continue;
    }
    const changes = (s: typeof a): Map<string, unknown> => new Map(s.changes.map((c) => [c.address, c]));
    const ca = changes(a);
    const cb = changes(b);
    for (const address of new Set([...ca.keys(), ...cb.keys()]))
      if (!isDeepStrictEqual(ca.get(address), cb.get(address)))
        out.push(`change ${address}: incremental ${show(ca.get(address))}, full ${show(cb.get(address))}`);
    const order = (s: typeof a): string => s.changes.map((c) => c.address).join(' ');
    if (order(a) !== order(b)) out.push(`spoke ${name} change order: incremental ${order(a)}, full ${order(b)}`);
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (key === 'changes') continue;
      const x = (a as Record<string, unknown>)[key];
      const y = (b as Record<string, unknown>)[key];
      if (!isDeepStrictEqual(x, y)) out.push(`spoke ${name} ${key}: incremental ${show(x)}, full ${show(y)}`);
    }
  }
  return out;
}

/**
 * What of the orgs a read can see, as one string (their tokens, logs and counters left out): while
 * it stays the same, a full read gives the same plan. (Not the count of writes served: delayed
 * provisioning lands when the sim's clock passes it, with no request.)
 */
function stateOf(sim: Sim): string {
  const state = ORGS.map((name) => {
    const org = sim.org(name);
    return [org.users, org.groups, org.apps, org.idps, org.mappings, org.userSchemaCustom];
  });
  return createHash('sha256')
    .update(
      JSON.stringify(state, (_key, value: unknown) => (value instanceof Map ? [...value] : value instanceof Set ? [...value] : value)),
    )
    .digest('hex');
}

/**
 * Events a log need not hold for the read to be complete: a Spoke's app-user events that follow
 * from a group's assignment or membership (the group's own event names what moved; Okta's docs
 * don't promise one event per member), and what provisioning came to (push outcomes, Group Push
 * runs). The read says it relies on none of them; a step may drop them to hold it to that.
 */
function derivable(event: LogEvent): boolean {
  const type = String(event.eventType);
  if (/^application\.provision\.(user\.|group_push\.push)/.test(type)) return true;
  const uri = String((event.debugContext as { debugData?: { requestUri?: unknown } } | undefined)?.debugData?.requestUri ?? '');
  return type.startsWith('application.user_membership.') && !/^\/api\/v1\/apps\/[^/]+\/users/.test(uri);
}

/** The events logged since the last call (each org's log grows at its end; a request's own event may go just before its side effects'). */
function newEvents(sim: Sim, known: WeakSet<LogEvent>): Map<OrgName, LogEvent[]> {
  const out = new Map<OrgName, LogEvent[]>();
  for (const org of ORGS) {
    const log = sim.org(org).systemLog;
    const fresh: LogEvent[] = [];
    for (let i = log.length - 1; i >= 0 && !known.has(log[i]!); i--) fresh.push(log[i]!);
    for (const e of fresh) known.add(e);
    out.set(org, fresh);
  }
  return out;
}

/** An event as the log holds it, of a type the simulator never writes (a step that must make the read fall back). */
function foreignEvent(sim: Sim, eventType: string): LogEvent {
  return {
    uuid: randomUUID(),
    published: new Date(sim.now()).toISOString(),
    eventType,
    target: [{ id: '00u0000000000000000x', type: 'User', alternateId: 'x', displayName: 'x', detailEntry: null }],
  } as LogEvent;
}

interface PropertyRun {
  seed: number;
  steps: number;
  sim: Sim;
  /** Where the run's config files go. */
  dir: string;
  /** The config planned (A), and another one a step may switch to (B): a config change must fall back. */
  configs: [DesiredState, DesiredState];
}

interface Tally {
  seed: number;
  steps: number;
  changes: Record<ChangeKind, number>;
  refused: number;
  applies: number;
  applyWrites: number;
  applyFailed: number;
  applySkipped: number;
  reused: number;
  read: number;
  patched: number;
  fullReads: number;
  fallbacks: Record<string, number>;
  roundTrips: number;
  /** Events a sparse log left out. */
  dropped: number;
}

/** Runs the property; returns what the run did (the caller checks it did enough of everything). */
async function property(run: PropertyRun): Promise<Tally> {
  const { sim, seed, steps } = run;
  const r = createRng(seed);
  const tally: Tally = {
    seed,
    steps,
    changes: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>,
    refused: 0,
    applies: 0,
    applyWrites: 0,
    applyFailed: 0,
    applySkipped: 0,
    reused: 0,
    read: 0,
    patched: 0,
    fullReads: 0,
    fallbacks: {},
    roundTrips: 0,
    dropped: 0,
  };
  let planned = run.configs[0];
  const clients = new Map<DesiredState, LiveClients>(run.configs.map((d) => [d, buildClients(d)]));
  let snapshot: Snapshot | undefined = (await readWithSnapshot(planned, clients.get(planned)!, undefined, { now: () => sim.now() }))
    .snapshot;
  assert.ok(snapshot, `the first read left no snapshot (seed ${seed})`);
  let full: { plan: PlanJson; state: string; config: DesiredState } | undefined;
  const history: string[] = [];
  const known = new WeakSet<LogEvent>();

  for (let step = 0; step < steps; step++) {
    const done: string[] = [];
    // Time passes between steps (the sim's clock: no sleeping): each log query holds the steps within its overlap, not the whole run.
    sim.advance(STEP_MS);
    // The log lags in every other block of LAG_BLOCK steps (a step's place in a run, never the run's length, decides: a failure replays).
    const lagged = Math.floor(step / LAG_BLOCK) % 2 === 1;
    if (step % LAG_BLOCK === 0) sim.setLogLag(lagged ? LAG_MS : 0);
    /** Why this step's read must fall back (a reason it must give), if it must. */
    let mustFallBack: { why: string; reason: RegExp } | undefined;
    // This machine's clock, as the read sees it, is the sim's (which runs ahead of real time).
    let options: IncrementalOptions = { now: () => sim.now() };
    const roll = r();
    if (roll < 0.01) {
      // Another config: the snapshot may lack what it needs.
      planned = planned === run.configs[0] ? run.configs[1] : run.configs[0];
      mustFallBack = { why: 'config changed', reason: /config changed/ };
      done.push(`plan with config ${planned === run.configs[0] ? 'A' : 'B'}`);
    } else if (roll < 0.015) {
      const org = pick(r, ORGS);
      sim.org(org).systemLog.push(foreignEvent(sim, 'policy.lifecycle.update'));
      mustFallBack = { why: 'unknown event type', reason: new RegExp(`${org}.*policy\\.lifecycle\\.update`) };
      done.push(`${org}: an event of a type no read can scope`);
    } else if (roll < 0.02) {
      options = { now: () => sim.now() + 8 * 24 * 3600_000 };
      mustFallBack = { why: 'old snapshot', reason: /older than/ };
      done.push('8 days later');
    }
    const actions = pick(r, [0, 1, 1, 2, 3]);
    const sparse = r() < 0.4;
    for (let i = 0; i < actions; i++) {
      if (r() < 0.06) {
        done.push(await applyRandomConfig(sim, run.dir, r, tally));
        continue;
      }
      const kind = pick(r, DRAW);
      const generator: Generator<ConsoleChange> = CONSOLE_CHANGES[kind];
      const org = pick(r, generator.orgs);
      const change = generator.make(r, org, sim.org(org));
      try {
        await consoleChange(sim, org, change);
        tally.changes[kind]++;
        done.push(`${org} ${JSON.stringify(change)}`);
      } catch (err) {
        if (!(err instanceof ConsoleError)) throw err;
        tally.refused++; // refused by Okta's rules: nothing changed
        done.push(`${org} ${JSON.stringify(change)} (refused)`);
      }
    }
    // A sparse log: the Spokes' logs without what follows from other events (see derivable).
    const fresh = newEvents(sim, known);
    if (sparse) {
      let dropped = 0;
      for (const org of SPOKES) {
        const drop = new Set(fresh.get(org)!.filter(derivable));
        const log = sim.org(org).systemLog;
        for (let i = log.length - 1; i >= 0 && drop.size > 0; i--) if (drop.delete(log[i]!)) log.splice(i, 1), dropped++;
      }
      done.push(`(sparse log: ${dropped} events dropped)`);
      tally.dropped += dropped;
    }
    // The log's lag waited out before the comparison: what this step did is in the log when the read asks.
    if (lagged) sim.advance(LAG_MS);
    history.push(`step ${step}${lagged ? ` (log lag ${LAG_MS / 60_000} min)` : ''}: ${done.join('; ') || 'nothing'}`);
    if (history.length > 8) history.shift();
    const where = (): string =>
      `seed ${seed}, step ${step} (again: ORG2ORG_INCREMENTAL_SEED=${seed} ORG2ORG_INCREMENTAL_STEPS=${step + 1} ORG2ORG_INCREMENTAL_WORKERS=1); the last steps:\n  ${history.join('\n  ')}`;

    const inc = await readWithSnapshot(planned, clients.get(planned)!, snapshot, options);
    if (mustFallBack) {
      assert.equal(inc.mode, 'full', `the read did not fall back: ${where()}`);
      assert.match(inc.fallback ?? '(none)', mustFallBack.reason, where());
      tally.fallbacks[mustFallBack.why] = (tally.fallbacks[mustFallBack.why] ?? 0) + 1;
    } else {
      assert.equal(inc.fallback, undefined, `the read fell back: ${inc.fallback} — ${where()}`);
    }
    assert.ok(inc.snapshot, `no snapshot: ${inc.noSnapshot} — ${where()}`);
    tally.read += inc.read.length;
    tally.reused += inc.reused.length;
    tally.patched += inc.patched.length;

    const state = stateOf(sim);
    if (!full || full.state !== state || full.config !== planned) {
      full = { plan: planOf(planned, await readLiveState(planned, clients.get(planned)!)), state, config: planned };
      tally.fullReads++;
    }
    const differences = planDifferences(planOf(planned, inc.live), full.plan);
    if (differences.length > 0) assert.fail(`the incremental plan differs from the full plan: ${where()}\n${differences.join('\n')}`);

    snapshot = inc.snapshot;
    if (step % ROUND_TRIP === ROUND_TRIP - 1) {
      const parsed = parseSnapshot(JSON.stringify(snapshot));
      assert.ok(!('problem' in parsed), `the snapshot does not read back: ${'problem' in parsed ? parsed.problem : ''} — ${where()}`);
      snapshot = parsed;
      tally.roundTrips++;
    }
  }
  return tally;
}

/** `org2org apply` of a random config (read, plan, apply: the code the command runs); says what it did. */
async function applyRandomConfig(sim: Sim, dir: string, r: Rng, tally: Tally): Promise<string> {
  const text = randomConfig(r, sim);
  let desired: DesiredState;
  try {
    desired = await load(sim, dir, 'apply.yaml', text);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    tally.applySkipped++;
    return `apply: config refused (${err.message})`;
  }
  const clients = buildClients(desired);
  const live = await readLiveState(desired, clients);
  const plan = createPlan(desired, live, { ...PLAN_OPTIONS, allowances: { ...DEFAULT_ALLOWANCES, maxRemovals: 1000 } });
  if (plan.errored || plan.guards.some((g) => !g.allowed)) {
    tally.applySkipped++;
    return `apply: plan refused (${plan.errored ? 'errors' : 'guards'})`;
  }
  const result = await applyPlan(plan, clients, { env: sim.env });
  tally.applies++;
  tally.applyWrites += result.applied;
  tally.applyFailed += result.failed;
  return `apply ${text} → ${result.applied} applied, ${result.failed} failed`;
}

/** One property run in a simulator of its own. */
interface Job {
  seed: number;
  steps: number;
}

type Outcome = { ok: true; tally: Tally } | { ok: false; message: string };

async function job({ seed, steps }: Job): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'org2org-incremental-property-'));
  const sim = await startSim(SEED_FILE, {
    timeScale: 60,
    rateLimits: NO_RATE_LIMITS,
    ...(seed % 2 === 1 ? { provisioningDelayMs: PROVISIONING_DELAY_MS } : {}),
  });
  try {
    const text = await plannedConfig();
    const a = await load(sim, dir, 'a.yaml', text);
    const more = text.replace(
      'users: [{ login: kenji@acme.com }, { login: mei@acme.com }]',
      'users: [{ login: kenji@acme.com }, { login: mei@acme.com }, { login: sora@acme.com }]',
    );
    assert.notEqual(more, text);
    const b = await load(sim, dir, 'b.yaml', more);
    return { ok: true, tally: await property({ seed, steps, sim, dir, configs: [a, b] }) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `job` in a worker thread: the runs of a test share no state, so they use the machine's
 * cores at once (node --test runs one test file at a time on a 2-core machine), and the test
 * runner's bookkeeping of async work (hooks on every promise) stays out of the hot loop.
 */
function inWorker(j: Job): Promise<Outcome> {
  // The worker loads this file as the test process does: TypeScript through tsx.
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(import.meta.url)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: j });
    worker.once('message', (outcome: Outcome) => resolve(outcome));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the property's worker exited (${code}) without an outcome`)));
  });
}

if (!isMainThread && (workerData as Job | undefined)?.seed !== undefined) {
  parentPort!.postMessage(await job(workerData as Job));
}

function report(label: string, jobs: Job[], tallies: Tally[], cpuMs: number, ms: number): void {
  const sum = (f: (t: Tally) => number): number => tallies.reduce((n, t) => n + f(t), 0);
  const kinds = Object.fromEntries(KINDS.map((k) => [k, sum((t) => t.changes[k])]));
  const fallbacks: Record<string, number> = {};
  for (const t of tallies) for (const [why, n] of Object.entries(t.fallbacks)) fallbacks[why] = (fallbacks[why] ?? 0) + n;
  console.log(
    `${label}: ${sum((t) => t.steps)} steps (seeds ${jobs.map((j) => j.seed).join(', ')}) in ${(ms / 1000).toFixed(1)} s (${(cpuMs / 1000).toFixed(1)} s CPU): ` +
      `console changes ${JSON.stringify(kinds)}, ${sum((t) => t.refused)} refused; ${sum((t) => t.applies)} applies (${sum((t) => t.applyWrites)} changes applied, ${sum((t) => t.applyFailed)} failed; ${sum((t) => t.applySkipped)} configs not applied); ` +
      `org reads: ${sum((t) => t.read)} whole, ${sum((t) => t.patched)} object by object, ${sum((t) => t.reused)} reused; ${sum((t) => t.fullReads)} full reads; ` +
      `fallbacks the steps called for ${JSON.stringify(fallbacks)}; ${sum((t) => t.roundTrips)} snapshot round trips; ${sum((t) => t.dropped)} events left out of sparse logs`,
  );
}

/** Runs of `steps` in all, shared among WORKERS runs with seeds SEED, SEED + 1, …; fails with the first failing run's message. */
async function runProperty(label: string, steps: number): Promise<Tally[]> {
  const jobs = Array.from({ length: WORKERS }, (_, i) => ({ seed: SEED + i, steps: Math.ceil(steps / WORKERS) }));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const outcomes = WORKERS === 1 ? [await job(jobs[0]!)] : await Promise.all(jobs.map(inWorker));
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) assert.fail(failed.message);
  const ok = outcomes.filter((o) => o.ok);
  const tallies = ok.map((o) => o.tally);
  const used = process.cpuUsage(cpu);
  report(label, jobs, tallies, (used.user + used.system) / 1000, performance.now() - started);
  return tallies;
}

if (isMainThread) {
  test("the log's lag: a change made inside it is missed by the run right after and caught by the next (the overlap), which only the overlap catches", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'org2org-incremental-lag-'));
    const sim = await startSim(SEED_FILE, { timeScale: 60, rateLimits: NO_RATE_LIMITS, logLagMs: LAG_MS });
    try {
      const desired = await load(sim, dir, 'a.yaml', await plannedConfig());
      const clients = buildClients(desired);
      const clock = { now: () => sim.now() };
      const first = await readWithSnapshot(desired, clients, undefined, clock);
      sim.advance(STEP_MS);
      await consoleChange(sim, 'apac', { assignUser: 'sora@acme.com' });
      const full = planOf(desired, await readLiveState(desired, clients));
      // Half the lag later the change is made but not yet in the log: the run reuses apac as it was.
      sim.advance(LAG_MS / 2);
      const early = await readWithSnapshot(desired, clients, first.snapshot, clock);
      assert.equal(early.fallback, undefined);
      assert.deepEqual(early.reused, ['hub', 'emea', 'apac']);
      assert.ok(
        planDifferences(planOf(desired, early.live), full).some((d) => d.includes('sora@acme.com')),
        'the lag hides the change',
      );
      // The lag has passed: the next run asks the log from before its cursor (the overlap) and finds the change.
      sim.advance(LAG_MS);
      const next = await readWithSnapshot(desired, clients, early.snapshot, clock);
      assert.equal(next.fallback, undefined);
      assert.ok(!next.reused.includes('apac'), `apac reused (read again: ${next.read}; object by object: ${next.patched})`);
      assert.deepEqual(planDifferences(planOf(desired, next.live), full), []);
      // Without the overlap the same run would have missed it for good: the overlap is what catches it.
      const blind = await readWithSnapshot(desired, clients, early.snapshot, { ...clock, overlapMs: 0 });
      assert.deepEqual(blind.reused, ['hub', 'emea', 'apac']);
      assert.notDeepEqual(planDifferences(planOf(desired, blind.live), full), []);
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test(`property: after each step of random console changes and applies, the incremental plan equals the full plan (${STEPS} steps)`, async () => {
    const tallies = await runProperty('property', STEPS);
    // Each run did enough of everything to mean something (a short run, as when reproducing a failure, only reports).
    for (const tally of tallies) {
      if (tally.steps < 1000) continue;
      const at = `(seed ${tally.seed})`;
      for (const kind of KINDS)
        assert.ok(tally.changes[kind] >= tally.steps / 250, `few ${kind} changes made: ${tally.changes[kind]} ${at}`);
      assert.ok(tally.applies > tally.steps / 100, `few applies: ${tally.applies} ${at}`);
      assert.ok(tally.applyWrites > tally.applies, `the applies wrote ${at}`);
      assert.ok(tally.reused > tally.steps / 2, `the incremental read reuses orgs, not only reads them again ${at}`);
      assert.ok(tally.patched > tally.steps / 4, `orgs brought up to date object by object: ${tally.patched} ${at}`);
      assert.ok(tally.dropped > 0, `no sparse log left anything out ${at}`);
      assert.deepEqual(Object.keys(tally.fallbacks).sort(), ['config changed', 'old snapshot', 'unknown event type'], at);
    }
  });
}
