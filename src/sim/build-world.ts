/**
 * Worlds at any size: a simulator seed (through buildSeed) together with the org2org config that
 * manages it. `org2org sim --users N`, the benchmarks (bench/scenarios.ts) and the generated
 * example (scripts/gen-multi-spoke.ts) all build theirs here, so the config they write is one shape.
 *
 * A world's Spokes each have an Org2Org app "Acme Hub" with provisioning on and a TOKEN
 * connection. The config lists `users` logins and `groups` groups (split evenly over the Spokes,
 * the larger shares first), assigns the groups to the app (unless `assignGroups: false`) and
 * pushes the first `pushed` of them. The live side has the first (1 − newShare) of the listed
 * users assigned already, every group whose members are all assigned already in step too
 * (assigned, and pushed when the config pushes it), and
 * `unmanagedShare` more people in each Spoke's directory that the config doesn't concern.
 * URLs and tokens in the config are `${…}` references to the variables in the seed's `env`.
 */
import { buildSeed, envName } from './build-seed.js';
import type { SimSeed } from './types.js';

export interface WorldSpec {
  /** How many Spokes (named emea, apac, amer, anz, latam, then spoke6, spoke7, …) or their names. */
  spokes: number | readonly string[];
  /** User assignments in the config, all Spokes together. */
  users: number;
  /** Group assignments in the config (every one a group of its Spoke), all Spokes together. */
  groups?: number;
  /** Push mappings in the config (the first groups of each Spoke), all Spokes together. Default: every group. */
  pushed?: number;
  /** Whether the config assigns the groups to the app (default true); false: they are only pushed. */
  assignGroups?: boolean;
  /** Share of each Spoke's listed users not assigned yet (the plan's creates). Default 1: none assigned. */
  newShare?: number;
  /** Share of the assigned users whose initial status the config changes (updates). Default 0. */
  driftShare?: number;
  /** People in each directory beyond the config's, as a share of its listed users. Default 5 %. */
  unmanagedShare?: number;
  /** Members of each group: consecutive listed users. Default 10. */
  membersPerGroup?: number;
  /** Give the Hub a read-only token in the config (Hub checks). Default true. */
  hubRead?: boolean;
  /** The config's first comment line. */
  header?: string;
}

export interface SpokeShape {
  name: string;
  /** Logins the config assigns (the first `liveAssigned` of them are assigned already). */
  configUsers: number;
  liveAssigned: number;
  groups: number;
  pushed: number;
  /** Groups assigned (and, among the pushed, pushed) in the live org already. */
  liveGroups: number;
}

export interface World {
  seed: SimSeed;
  /** The org2org config (YAML) that manages the seed; secrets and URLs are `${…}` references. */
  config: string;
  spokes: SpokeShape[];
}

export const SPOKE_NAMES: readonly string[] = ['emea', 'apac', 'amer', 'anz', 'latam'];

/** The name of the i-th generated Spoke (0-based). */
export const spokeName = (i: number): string => SPOKE_NAMES[i] ?? `spoke${i + 1}`;

/** `total` split into `parts` near-equal integers, the larger ones first. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** The n-th (1-based) person of a Spoke's directory, as buildSeed names them. */
export const worldLogin = (spoke: string, n: number): string => `user${n}@${spoke}.example.com`;
/** The g-th (1-based) group of a Spoke, as buildSeed names them. */
export const worldGroup = (spoke: string, g: number): string => `${spoke} group ${g}`;

export function buildWorld(spec: WorldSpec): World {
  const names = typeof spec.spokes === 'number' ? Array.from({ length: spec.spokes }, (_, i) => spokeName(i)) : [...spec.spokes];
  if (names.length === 0) throw new Error('a world needs at least one Spoke');
  const newShare = spec.newShare ?? 1;
  const driftShare = spec.driftShare ?? 0;
  const per = spec.membersPerGroup ?? 10;
  const users = split(spec.users, names.length);
  const groups = split(spec.groups ?? 0, names.length);
  const pushed = split(spec.pushed ?? spec.groups ?? 0, names.length);
  const shapes: SpokeShape[] = names.map((name, i) => {
    const configUsers = users[i]!;
    const liveAssigned = configUsers - Math.ceil(configUsers * newShare);
    // A group assigned live assigns its members: only groups whose members are all assigned
    // already keep the live side a steady state.
    const liveGroups = Math.min(groups[i]!, Math.floor(liveAssigned / Math.max(per, 1)));
    return { name, configUsers, liveAssigned, groups: groups[i]!, pushed: Math.min(pushed[i]!, groups[i]!), liveGroups };
  });
  const seed = buildSeed({
    spokes: shapes.map((s) => ({
      name: s.name,
      users: s.configUsers + Math.ceil(s.configUsers * (spec.unmanagedShare ?? 0.05)),
      groups: s.groups,
      membersPerGroup: per,
      pushed: Math.min(s.pushed, s.liveGroups),
    })),
  });
  for (const s of shapes) {
    const app = seed.orgs[s.name]!.apps![0]!;
    // Explicit initial status: the config's default, so that assigned users are in step.
    app.users = Array.from({ length: s.liveAssigned }, (_, k) => ({
      login: worldLogin(s.name, k + 1),
      initialStatus: 'active_without_pass',
    }));
    app.groups = spec.assignGroups === false ? [] : Array.from({ length: s.liveGroups }, (_, g) => worldGroup(s.name, g + 1));
  }
  const spokes = shapes.map((s) => {
    const drifted = Math.round(s.liveAssigned * driftShare);
    return spokeYaml(s.name, 'additive', {
      // Drifted users come last among the assigned ones, after every group's members.
      users: Array.from({ length: s.configUsers }, (_, k) =>
        k >= s.liveAssigned - drifted && k < s.liveAssigned
          ? `{ login: ${worldLogin(s.name, k + 1)}, initialStatus: active_with_pass }`
          : `{ login: ${worldLogin(s.name, k + 1)} }`,
      ),
      groups: spec.assignGroups === false ? [] : Array.from({ length: s.groups }, (_, g) => worldGroup(s.name, g + 1)),
      pushed: Array.from({ length: s.pushed }, (_, g) => worldGroup(s.name, g + 1)),
    });
  });
  return { seed, config: configYaml(spokes, spec.hubRead ?? true, spec.header), spokes: shapes };
}

/**
 * The lines of a generated Spoke from its name down to `assignments.defaults`: a TOKEN
 * connection, To App provisioning on, the lists left to the caller.
 */
export function spokeHeaderLines(spoke: { name: string; url: string; tokenVar: string; mode: 'additive' | 'authoritative' }): string[] {
  return [
    `  - name: ${spoke.name}`,
    `    url: ${spoke.url}`,
    '    auth:',
    `      token: \${${spoke.tokenVar}}`,
    '    app:',
    '      label: Acme Hub',
    '    connection:',
    '      authScheme: TOKEN',
    '      token: ${OKTA_HUB_PROVISIONING_TOKEN}',
    '    provisioning:',
    '      toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false }',
    '    assignments:',
    `      mode: ${spoke.mode}`,
    '      defaults: { initialStatus: active_without_pass }',
  ];
}

/** A config around generated Spokes: the Hub from `${OKTA_HUB_URL}`, with a read token when `hubRead`. */
export function configYaml(spokes: string[], hubRead: boolean, header = 'Generated by org2org (src/sim/build-world.ts)'): string {
  return [
    `# ${header}`,
    'version: 1',
    'hub:',
    '  url: ${OKTA_HUB_URL}',
    ...(hubRead ? ['  auth:', '    token: ${OKTA_HUB_READ_TOKEN}'] : []),
    'spokes:',
    ...spokes,
    '',
  ].join('\n');
}

/** One generated Spoke whose URL and token are `${OKTA_<NAME>_URL}` and `${OKTA_<NAME>_TOKEN}`. */
export function spokeYaml(
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
