/**
 * Builders for large seeds (benchmarks, scale tests): a Hub and N Spokes, each Spoke with
 * `users` people, the first `assigned` of them assigned to an Org2Org app "Acme Hub", `groups`
 * groups of `membersPerGroup` consecutive users, and the first `pushed` groups pushed to the Hub.
 */
import type { SeedApp, SeedGroup, SeedOrg, SeedUser, SimSeed } from './types.js';

/** `count` users `${prefix}${i}@${domain}` (i from `start`), ACTIVE. */
export function seedUsers(count: number, options: { prefix?: string; domain?: string; start?: number } = {}): SeedUser[] {
  const prefix = options.prefix ?? 'user';
  const domain = options.domain ?? 'example.com';
  const start = options.start ?? 1;
  const users: SeedUser[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = start + i;
    users[i] = { login: `${prefix}${n}@${domain}`, firstName: prefix, lastName: String(n) };
  }
  return users;
}

export interface SpokeSpec {
  name: string;
  users: number;
  /** Users assigned to the app (the first N). Default: none. */
  assigned?: number;
  groups?: number;
  membersPerGroup?: number;
  /** Push mappings for the first N groups. */
  pushed?: number;
  /** Whether the Spoke already has its Org2Org app (default true). */
  app?: boolean;
  provisioning?: SeedApp['provisioning'];
  domain?: string;
}

export interface BuildSeedOptions {
  hub?: string;
  hubUsers?: number;
  spokes: SpokeSpec[];
}

/** An org's name as it appears in its variables: `emea` → `OKTA_EMEA_TOKEN`. */
export const envName = (org: string): string => org.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/**
 * Tokens: `OKTA_<ORG>_TOKEN` (SUPER_ADMIN) in every org, plus `OKTA_<HUB>_READ_TOKEN`
 * (READ_ONLY_ADMIN) and `OKTA_<HUB>_PROVISIONING_TOKEN` (SUPER_ADMIN) in the Hub; `env` has
 * `OKTA_<ORG>_URL` and every token.
 */
export function buildSeed(options: BuildSeedOptions): SimSeed {
  const hubName = options.hub ?? 'hub';
  const H = envName(hubName);
  const orgs: Record<string, SeedOrg> = {};
  const env: Record<string, string> = {};
  orgs[hubName] = {
    users: seedUsers(options.hubUsers ?? 0, { prefix: 'hubuser', domain: 'hub.example.com' }),
    tokens: {
      [`OKTA_${H}_TOKEN`]: { user: `admin@${hubName}.example.com`, roles: ['SUPER_ADMIN'] },
      [`OKTA_${H}_READ_TOKEN`]: { user: `reader@${hubName}.example.com`, roles: ['READ_ONLY_ADMIN'] },
      [`OKTA_${H}_PROVISIONING_TOKEN`]: { user: `provisioner@${hubName}.example.com`, roles: ['SUPER_ADMIN'] },
    },
  };
  env[`OKTA_${H}_URL`] = `\${orgs.${hubName}.url}`;
  for (const t of Object.keys(orgs[hubName].tokens!)) env[t] = `\${orgs.${hubName}.tokens.${t}}`;
  for (const s of options.spokes) {
    const S = envName(s.name);
    const users = seedUsers(s.users, { prefix: 'user', domain: s.domain ?? `${s.name}.example.com` });
    const per = s.membersPerGroup ?? 10;
    const groups: SeedGroup[] = [];
    for (let g = 0; g < (s.groups ?? 0); g++) {
      const members: string[] = [];
      for (let k = 0; k < per && users.length > 0; k++) members.push(users[(g * per + k) % users.length]!.login);
      groups.push({ name: `${s.name} group ${g + 1}`, members });
    }
    const org: SeedOrg = {
      users,
      groups,
      tokens: { [`OKTA_${S}_TOKEN`]: { user: `admin@${s.name}.example.com`, roles: ['SUPER_ADMIN'] } },
    };
    if (s.app !== false) {
      const app: SeedApp = {
        label: 'Acme Hub',
        hub: hubName,
        connection: { token: `${hubName}/OKTA_${H}_PROVISIONING_TOKEN` },
        provisioning: s.provisioning ?? { createUsers: true, updateUserAttributes: true, deactivateUsers: true, syncPassword: false },
        users: users.slice(0, s.assigned ?? 0).map((u) => ({ login: u.login })),
        pushMappings: groups.slice(0, s.pushed ?? 0).map((g) => ({ source: g.name, target: g.name })),
      };
      org.apps = [app];
    }
    orgs[s.name] = org;
    env[`OKTA_${S}_URL`] = `\${orgs.${s.name}.url}`;
    env[`OKTA_${S}_TOKEN`] = `\${orgs.${s.name}.tokens.OKTA_${S}_TOKEN}`;
  }
  return { orgs, env };
}
