/**
 * The benchmark's worlds: a simulator seed and the org2org config that manages it.
 *
 * Plan scenarios (S, M, L) are a steady state with a pull request's worth of drift: every Spoke's
 * app exists with provisioning on, 99 % of the config's users are assigned already (the other
 * 1 % are new: the plan creates them), every config group is assigned to the app, the pushed
 * ones have their mappings, and the Hub holds what was provisioned. The config gives the Hub a
 * read-only token (Hub checks on) and a TOKEN connection, like the root example config.
 * Totals are split evenly across the Spokes.
 *
 * The apply scenario is one Spoke in authoritative mode whose plan has exactly `changes` user
 * changes: 80 % new assignments, 10 % initial-status updates, 10 % removals.
 */
import { buildSeed, type SeedApp, type SimSeed } from '../src/sim/index.js';
import { spokeHeaderLines } from '../scripts/gen-multi-spoke.js';

export interface PlanScenario {
  name: 'S' | 'M' | 'L';
  spokes: number;
  /** User assignments in the config, all Spokes together. */
  assignments: number;
  /** Group assignments in the config (every one of them a group of the Spoke). */
  groups: number;
  /** Push mappings in the config (the first groups of each Spoke). */
  pushMappings: number;
}

export const PLAN_SCENARIOS: Record<PlanScenario['name'], PlanScenario> = {
  S: { name: 'S', spokes: 1, assignments: 100, groups: 0, pushMappings: 0 },
  M: { name: 'M', spokes: 2, assignments: 5_000, groups: 300, pushMappings: 200 },
  L: { name: 'L', spokes: 3, assignments: 50_000, groups: 1_000, pushMappings: 500 },
};

const SPOKE_NAMES = ['emea', 'apac', 'amer', 'anz', 'latam'];
const MEMBERS_PER_GROUP = 10;
const NEW_SHARE = 0.01;
/** Directory users beyond the config's: people of the Spoke the app doesn't concern. */
const UNMANAGED_SHARE = 0.05;

export interface SpokeShape {
  name: string;
  /** Logins the config assigns (the first `liveAssigned` of them are assigned already). */
  configUsers: number;
  liveAssigned: number;
  groups: number;
  pushed: number;
}

export interface World {
  seed: SimSeed;
  /** The org2org config (YAML) that manages the seed; secrets and URLs are `${…}` references. */
  config: string;
  spokes: SpokeShape[];
}

/** `total` split into `parts` near-equal integers, the larger ones first. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

const envName = (org: string): string => org.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
const login = (spoke: string, n: number): string => `user${n}@${spoke}.example.com`;
const groupName = (spoke: string, g: number): string => `${spoke} group ${g}`;

/** The logins a plan world's config lists for a Spoke. */
export function configLogins(shape: SpokeShape): string[] {
  return Array.from({ length: shape.configUsers }, (_, k) => login(shape.name, k + 1));
}

/** The groups a plan world's config pushes from a Spoke. */
export function pushedGroupNames(shape: SpokeShape): string[] {
  return Array.from({ length: shape.pushed }, (_, g) => groupName(shape.name, g + 1));
}

export interface WorldOptions {
  /** Share of the config's users not assigned yet (the plan's creates). Default 1 %. */
  newShare?: number;
  /** Share of the assigned users whose initial status the config changes (updates). Default 0. */
  driftShare?: number;
  /** Give the Hub a read token in the config (Hub checks). Default true. */
  hubRead?: boolean;
}

export function buildPlanWorld(scenario: PlanScenario, options: WorldOptions = {}): World {
  const newShare = options.newShare ?? NEW_SHARE;
  const driftShare = options.driftShare ?? 0;
  const users = split(scenario.assignments, scenario.spokes);
  const groups = split(scenario.groups, scenario.spokes);
  const pushed = split(scenario.pushMappings, scenario.spokes);
  const shapes: SpokeShape[] = users.map((configUsers, i) => ({
    name: SPOKE_NAMES[i]!,
    configUsers,
    liveAssigned: configUsers - Math.ceil(configUsers * newShare),
    groups: groups[i]!,
    pushed: pushed[i]!,
  }));
  for (const s of shapes) {
    if (s.groups * MEMBERS_PER_GROUP > s.liveAssigned) throw new Error(`${s.name}: group members must be assigned users (steady state)`);
  }
  const seed = buildSeed({
    spokes: shapes.map((s) => ({
      name: s.name,
      users: s.configUsers + Math.ceil(s.configUsers * UNMANAGED_SHARE),
      groups: s.groups,
      membersPerGroup: MEMBERS_PER_GROUP,
      pushed: s.pushed,
    })),
  });
  for (const s of shapes) {
    const app = seed.orgs[s.name]!.apps![0]!;
    // Explicit initial status: the config's default, so that assigned users are in step.
    app.users = Array.from({ length: s.liveAssigned }, (_, k) => ({ login: login(s.name, k + 1), initialStatus: 'active_without_pass' }));
    app.groups = Array.from({ length: s.groups }, (_, g) => groupName(s.name, g + 1));
  }
  const spokes = shapes.map((s) => {
    const drifted = Math.round(s.liveAssigned * driftShare);
    return spokeYaml(s.name, 'additive', {
      // Drifted users come last among the assigned ones, after every group's members.
      users: Array.from({ length: s.configUsers }, (_, k) =>
        k >= s.liveAssigned - drifted && k < s.liveAssigned
          ? `{ login: ${login(s.name, k + 1)}, initialStatus: active_with_pass }`
          : `{ login: ${login(s.name, k + 1)} }`,
      ),
      groups: Array.from({ length: s.groups }, (_, g) => groupName(s.name, g + 1)),
      pushed: Array.from({ length: s.pushed }, (_, g) => groupName(s.name, g + 1)),
    });
  });
  return { seed, config: configYaml(spokes, options.hubRead ?? true), spokes: shapes };
}

export interface ApplyShape {
  creates: number;
  updates: number;
  deletes: number;
}

export function applyShape(changes: number): ApplyShape {
  const updates = Math.round(changes * 0.1);
  const deletes = Math.round(changes * 0.1);
  return { creates: changes - updates - deletes, updates, deletes };
}

/**
 * Users 1..U are assigned as active_without_pass and the config wants active_with_pass (updates);
 * U+1..U+C are in the directory only (creates); U+C+1..U+C+D are assigned and unlisted (removed:
 * the config is authoritative).
 */
export function buildApplyWorld(changes: number): World & { shape: ApplyShape } {
  const shape = applyShape(changes);
  const name = 'emea';
  const { creates: C, updates: U, deletes: D } = shape;
  const seed = buildSeed({ spokes: [{ name, users: U + C + D + 100 }] });
  const app = seed.orgs[name]!.apps![0]! as SeedApp;
  const assigned = [...range(1, U), ...range(U + C + 1, U + C + D)];
  app.users = assigned.map((n) => ({ login: login(name, n), initialStatus: 'active_without_pass' }));
  const users = [
    ...range(1, U).map((n) => `{ login: ${login(name, n)}, initialStatus: active_with_pass }`),
    ...range(U + 1, U + C).map((n) => `{ login: ${login(name, n)} }`),
  ];
  const config = configYaml([spokeYaml(name, 'authoritative', { users, groups: [], pushed: [] })], true);
  return { seed, config, spokes: [{ name, configUsers: U + C, liveAssigned: U + D, groups: 0, pushed: 0 }], shape };
}

function range(from: number, to: number): number[] {
  return to < from ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function configYaml(spokes: string[], hubRead: boolean): string {
  return [
    '# Generated by bench/scenarios.ts',
    'version: 1',
    'hub:',
    '  url: ${OKTA_HUB_URL}',
    ...(hubRead ? ['  auth:', '    token: ${OKTA_HUB_READ_TOKEN}'] : []),
    'spokes:',
    ...spokes,
    '',
  ].join('\n');
}

function spokeYaml(
  name: string,
  mode: 'additive' | 'authoritative',
  lists: { users: string[]; groups: string[]; pushed: string[] },
): string {
  const E = envName(name);
  const lines = [
    ...spokeHeaderLines({ name, url: `\${OKTA_${E}_URL}`, tokenVar: `OKTA_${E}_TOKEN`, mode }),
    lists.users.length > 0 ? '      users:' : '      users: []',
    ...lists.users.map((u) => `        - ${u}`),
    lists.groups.length > 0 ? '      groups:' : '      groups: []',
    ...lists.groups.map((g) => `        - { name: ${g} }`),
  ];
  if (lists.pushed.length > 0) {
    lines.push('    pushGroups:', '      mode: additive', '      groups:', ...lists.pushed.map((g) => `        - { name: ${g} }`));
  }
  return lines.join('\n');
}
