/**
 * Seeds: load from YAML, validate with clear messages, build large ones programmatically, and
 * populate the orgs once their URLs are known.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { SimOrg } from './org-state.js';
import { durationMs, nowIso } from './org-state.js';
import { toAppMapping } from './profile-schemas.js';
import { assignUser, importHubGroups, mirrorHubGroup, pushMapping, type SimWorld } from './provisioning.js';
import type { AdminRole, SeedApp, SeedOrg, SeedUser, SimSeed } from './types.js';
import { INITIAL_STATUSES } from './types.js';
import { simNow } from './clock.js';

export class SeedError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid simulator seed ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SeedError';
  }
}

const ROLES: AdminRole[] = ['SUPER_ADMIN', 'ORG_ADMIN', 'APP_ADMIN', 'USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN', 'READ_ONLY_ADMIN'];
const PLACEHOLDER = /\$\{orgs\.([^.}]+)\.(url|tokens\.([^}]+))\}/g;

export function loadSeed(file: string): SimSeed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SeedError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SeedError(file, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  validateSeed(doc, file);
  return doc;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Throws a SeedError listing every problem, each starting with the path it speaks of. */
export function validateSeed(doc: unknown, source = 'seed'): asserts doc is SimSeed {
  const problems: string[] = [];
  const add = (path: string, msg: string): void => void problems.push(`${path}: ${msg}`);
  if (!isObject(doc) || !isObject(doc.orgs) || Object.keys(doc.orgs).length === 0) {
    throw new SeedError(source, ['orgs: required, a map of org name → org (e.g. hub, emea)']);
  }
  const orgs = doc.orgs as Record<string, unknown>;
  const tokenNames = new Map<string, Set<string>>();
  for (const [name, raw] of Object.entries(orgs)) {
    const tokens = new Set<string>();
    tokenNames.set(name, tokens);
    if (raw !== null && raw !== undefined && !isObject(raw)) add(`orgs.${name}`, 'must be a map');
    if (isObject(raw) && isObject(raw.tokens)) for (const t of Object.keys(raw.tokens)) tokens.add(t);
  }
  for (const [name, raw] of Object.entries(orgs)) {
    if (!isObject(raw)) continue;
    const p = `orgs.${name}`;
    const logins = new Set<string>();
    const users = raw.users ?? [];
    if (!Array.isArray(users)) add(`${p}.users`, 'must be a list');
    else
      users.forEach((u: unknown, i) => {
        const login = isObject(u) ? u.login : undefined;
        if (typeof login !== 'string' || login === '') return add(`${p}.users[${i}].login`, 'required (a string)');
        if (logins.has(login.toLowerCase())) add(`${p}.users[${i}].login`, `duplicate login "${login}"`);
        logins.add(login.toLowerCase());
        for (const r of ((u as Record<string, unknown>).roles as unknown[] | undefined) ?? []) {
          if (!ROLES.includes(r as AdminRole)) add(`${p}.users[${i}].roles`, `unknown role "${String(r)}" (one of ${ROLES.join(', ')})`);
        }
      });
    if (raw.tokens !== undefined && !isObject(raw.tokens)) add(`${p}.tokens`, 'must be a map of token name → {user, roles}');
    for (const [t, tok] of Object.entries(isObject(raw.tokens) ? raw.tokens : {})) {
      if (!isObject(tok) || typeof tok.user !== 'string') add(`${p}.tokens.${t}.user`, 'required: login of the admin who owns the token');
      else {
        logins.add(tok.user.toLowerCase());
        for (const r of (tok.roles as unknown[] | undefined) ?? []) {
          if (!ROLES.includes(r as AdminRole)) add(`${p}.tokens.${t}.roles`, `unknown role "${String(r)}" (one of ${ROLES.join(', ')})`);
        }
        if (tok.tokenWindow !== undefined) {
          try {
            if (typeof tok.tokenWindow !== 'string' || durationMs(tok.tokenWindow) <= 0) throw new Error();
          } catch {
            add(`${p}.tokens.${t}.tokenWindow`, 'must be an ISO 8601 duration such as P30D or PT5M');
          }
        }
        if (tok.idleDays !== undefined && !(typeof tok.idleDays === 'number' && tok.idleDays >= 0))
          add(`${p}.tokens.${t}.idleDays`, 'must be a number of days ≥ 0');
      }
    }
    const groups = new Set<string>();
    const rawGroups = raw.groups ?? [];
    if (!Array.isArray(rawGroups)) add(`${p}.groups`, 'must be a list');
    else
      rawGroups.forEach((g: unknown, i) => {
        if (!isObject(g) || typeof g.name !== 'string') return add(`${p}.groups[${i}].name`, 'required (a string)');
        groups.add(g.name.toLowerCase());
        for (const m of (g.members as unknown[] | undefined) ?? []) {
          if (typeof m !== 'string' || !logins.has(m.toLowerCase()))
            add(`${p}.groups[${i}].members`, `no user "${String(m)}" in org ${name}`);
        }
      });
    for (const [i, sa] of ((raw.serviceApps as unknown[] | undefined) ?? []).entries()) {
      if (!isObject(sa) || typeof sa.clientId !== 'string' || !isObject(sa.publicJwk) || !Array.isArray(sa.scopes)) {
        add(`${p}.serviceApps[${i}]`, 'needs clientId, publicJwk (a JWK object) and scopes (a list)');
      } else {
        if (sa.dpopBound !== undefined && typeof sa.dpopBound !== 'boolean')
          add(`${p}.serviceApps[${i}].dpopBound`, 'must be true or false');
        for (const field of ['appId', 'name'] as const)
          if (sa[field] !== undefined && (typeof sa[field] !== 'string' || sa[field] === ''))
            add(`${p}.serviceApps[${i}].${field}`, 'must be a non-empty string');
        for (const r of (sa.roles as unknown[] | undefined) ?? []) {
          if (!ROLES.includes(r as AdminRole))
            add(`${p}.serviceApps[${i}].roles`, `unknown role "${String(r)}" (one of ${ROLES.join(', ')})`);
        }
      }
    }
    if (raw.aliases !== undefined && (!Array.isArray(raw.aliases) || raw.aliases.some((a) => typeof a !== 'string')))
      add(`${p}.aliases`, 'must be a list of URLs');
    const apps = raw.apps ?? [];
    if (!Array.isArray(apps)) add(`${p}.apps`, 'must be a list');
    else apps.forEach((a: unknown, i) => validateApp(a, `${p}.apps[${i}]`, name, logins, groups, tokenNames, add));
  }
  if (doc.env !== undefined) {
    if (!isObject(doc.env)) add('env', 'must be a map of variable → value');
    else
      for (const [k, v] of Object.entries(doc.env)) {
        if (typeof v !== 'string') add(`env.${k}`, 'must be a string');
        else
          for (const m of v.matchAll(PLACEHOLDER)) {
            if (!tokenNames.has(m[1]!)) add(`env.${k}`, `no org "${m[1]}"`);
            else if (m[3] !== undefined && !tokenNames.get(m[1]!)!.has(m[3])) add(`env.${k}`, `no token "${m[3]}" in org ${m[1]}`);
          }
      }
  }
  if (problems.length > 0) throw new SeedError(source, problems);
}

function validateApp(
  a: unknown,
  p: string,
  orgName: string,
  logins: Set<string>,
  groups: Set<string>,
  tokenNames: Map<string, Set<string>>,
  add: (path: string, msg: string) => void,
): void {
  if (!isObject(a) || typeof a.label !== 'string') return add(`${p}.label`, 'required (a string)');
  if (a.hub !== undefined && (typeof a.hub !== 'string' || !tokenNames.has(a.hub))) add(`${p}.hub`, `no org "${String(a.hub)}"`);
  const c = a.connection;
  if (isObject(c) && typeof c.token === 'string' && c.token.includes('/')) {
    const [org, tok] = c.token.split('/', 2) as [string, string];
    if (!tokenNames.get(org)?.has(tok)) add(`${p}.connection.token`, `no token "${tok}" in org "${org}" (write ORG/TOKEN_NAME)`);
  }
  for (const [i, u] of ((a.users as unknown[] | undefined) ?? []).entries()) {
    const login = isObject(u) ? u.login : undefined;
    if (typeof login !== 'string' || !logins.has(login.toLowerCase()))
      add(`${p}.users[${i}].login`, `no user "${String(login)}" in org ${orgName}`);
    const st = isObject(u) ? u.initialStatus : undefined;
    if (st !== undefined && !INITIAL_STATUSES.includes(st as never))
      add(`${p}.users[${i}].initialStatus`, `must be one of ${INITIAL_STATUSES.join(', ')}`);
  }
  for (const [i, g] of ((a.groups as unknown[] | undefined) ?? []).entries()) {
    if (typeof g !== 'string' || !groups.has(g.toLowerCase())) add(`${p}.groups[${i}]`, `no group "${String(g)}" in org ${orgName}`);
  }
  for (const [i, m] of ((a.pushMappings as unknown[] | undefined) ?? []).entries()) {
    if (!isObject(m) || typeof m.source !== 'string' || typeof m.target !== 'string')
      add(`${p}.pushMappings[${i}]`, 'needs source and target (group names)');
    else if (!groups.has(m.source.toLowerCase())) add(`${p}.pushMappings[${i}].source`, `no group "${m.source}" in org ${orgName}`);
  }
  if ((a.pushMappings as unknown[] | undefined)?.length && a.hub === undefined) add(`${p}.hub`, 'required when the app has push mappings');
  if (a.baseUrl !== undefined && typeof a.baseUrl !== 'string') add(`${p}.baseUrl`, 'must be a URL');
  if (a.importHubGroups !== undefined && typeof a.importHubGroups !== 'boolean') add(`${p}.importHubGroups`, 'must be true or false');
  if (a.importHubGroups === true && a.hub === undefined) add(`${p}.hub`, "required when the app imports the Hub's groups");
}

function fakeToken(org: string, name: string): string {
  return `sim-${org}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(6).toString('hex')}`;
}

/** Users, groups, tokens and service apps of one org (apps come after, once every org exists). */
export function populateDirectory(org: SimOrg, seed: SeedOrg): void {
  org.aliases = [...(seed.aliases ?? [])];
  for (const [name, type] of Object.entries(seed.userSchema ?? {})) org.userSchemaCustom[name] = customProperty(name, type);
  for (const u of seed.users ?? []) addSeedUser(org, u);
  for (const [name, t] of Object.entries(seed.tokens ?? {})) {
    let owner = org.findUser(t.user);
    owner ??= org.addUser(t.user, {}, 'ACTIVE');
    for (const r of t.roles ?? []) if (!owner.roles.includes(r)) owner.roles.push(r);
    org.addToken(name, t.value ?? fakeToken(org.name, name), owner.id, {
      ...(t.tokenWindow !== undefined ? { tokenWindow: t.tokenWindow } : {}),
      ...(t.idleDays !== undefined ? { idleMs: t.idleDays * 86_400_000 } : {}),
    });
  }
  for (const g of seed.groups ?? []) {
    const group = org.addGroup(g.name, g.description ?? null);
    for (const login of g.members ?? []) org.addMember(group, org.findUser(login)!);
  }
  for (const sa of seed.serviceApps ?? []) {
    const app = org.addApp({
      id: sa.appId ?? sa.clientId,
      name: 'oidc_client',
      label: sa.name ?? sa.clientId,
      signOnMode: 'OPENID_CONNECT',
      settings: {},
    });
    app.oauth = {
      clientId: sa.clientId,
      clientName: sa.name ?? sa.clientId,
      applicationType: 'service',
      grantTypes: ['client_credentials'],
      responseTypes: ['token'],
      tokenEndpointAuthMethod: 'private_key_jwt',
      // Stored as Okta stores every client key (recorded): with an id and a status of its own.
      jwks: [{ ...sa.publicJwk, id: `pks${randomBytes(9).toString('base64url')}`, status: 'ACTIVE' }],
      jwksUri: null,
      clientSecret: null,
      issuedAt: Math.floor(simNow() / 1000),
      ...(sa.dpopBound === true ? { dpopBound: true } : {}),
    };
    const now = nowIso();
    for (const scopeId of sa.scopes) app.grants.add({ id: org.newId('oag'), seq: 0, scopeId, issuer: org.url, created: now });
    for (const type of sa.roles ?? ['SUPER_ADMIN']) app.roles.add({ id: org.newId('ira'), seq: 0, type, created: now });
  }
}

function addSeedUser(org: SimOrg, u: SeedUser): void {
  const profile: Record<string, unknown> = { ...(u.profile ?? {}) };
  if (u.firstName !== undefined) profile.firstName = u.firstName;
  if (u.lastName !== undefined) profile.lastName = u.lastName;
  if (u.email !== undefined) profile.email = u.email;
  org.addUser(u.login, profile, u.status ?? 'ACTIVE', [...(u.roles ?? [])]);
}

export function populateApps(world: SimWorld, org: SimOrg, seed: SeedOrg): void {
  for (const a of seed.apps ?? []) populateApp(world, org, a);
}

function populateApp(world: SimWorld, org: SimOrg, a: SeedApp): void {
  const hub = a.hub ? world.org(a.hub) : undefined;
  const app = org.addApp({
    name: a.name ?? 'okta_org2org',
    label: a.label,
    status: a.status ?? 'ACTIVE',
    settings: {
      app: {
        baseUrl: a.baseUrl ?? hub?.url ?? null,
        acsUrl: hub ? `${hub.url}/sso/saml2/0oasim` : null,
        audRestriction: hub ? `https://www.okta.com/saml2/service-provider/sim${hub.name}` : null,
      },
    },
  });
  const p = a.provisioning ?? {};
  app.provisioning.create = p.createUsers ?? false;
  app.provisioning.profile = p.updateUserAttributes ?? false;
  app.provisioning.deactivate = p.deactivateUsers ?? false;
  app.provisioning.password.enabled = p.syncPassword ?? false;
  app.provisioning.profileSourcing = a.profileSourcing ?? false;
  const c = a.connection;
  if (c) {
    let token: string | null = null;
    if (c.token) {
      const [tokOrg, tokName] = c.token.split('/', 2);
      token = tokName !== undefined ? (world.org(tokOrg!).tokenValues[tokName] ?? null) : c.token;
    }
    app.connection = {
      status: c.status ?? 'ENABLED',
      authScheme: c.authScheme ?? (c.clientId ? 'OAUTH2' : 'TOKEN'),
      token,
      clientId: c.clientId ?? null,
      rotationMode: c.clientId ? 'AUTO' : null,
    };
  }
  const toApp = toAppMapping(org, app);
  for (const attr of a.attributes ?? []) {
    app.userSchemaCustom[attr.name] = customProperty(attr.name, attr.type ?? 'string');
    if (attr.expression !== undefined && toApp) {
      toApp.properties[attr.name] = { expression: attr.expression, pushStatus: attr.pushStatus ?? 'PUSH' };
    }
  }
  for (const u of a.users ?? []) {
    const user = org.findUser(u.login)!;
    const profile: Record<string, unknown> = { ...(u.profile ?? {}) };
    if (u.initialStatus) profile.initialStatus = u.initialStatus;
    if (u.securityQuestion !== undefined) profile.securityQuestion = u.securityQuestion;
    if (u.securityAnswer !== undefined) profile.securityAnswer = u.securityAnswer;
    const { appUser } = assignUser(world, org, app, user, { scope: 'USER', profile });
    if (u.status) appUser.status = u.status;
  }
  for (const name of a.groups ?? []) {
    const group = org.findGroupByName(name)!;
    app.groups.add({ id: group.id, seq: 0, priority: app.groups.size, profile: {}, lastUpdated: nowIso() });
    for (const userId of group.members) {
      if (!app.users.has(userId)) assignUser(world, org, app, org.users.get(userId)!, { scope: 'GROUP' });
    }
  }
  if (a.importHubGroups) importHubGroups(world, org, app);
  for (const m of a.pushMappings ?? []) {
    const source = org.findGroupByName(m.source)!;
    const target = hub!.findGroupByName(m.target) ?? hub!.addGroup(m.target, null);
    const now = nowIso();
    const mapping = app.pushMappings.add({
      id: org.newId('gpm'),
      seq: 0,
      sourceGroupId: source.id,
      targetGroupId: mirrorHubGroup(org, app, target).id,
      hubGroupId: target.id,
      targetOrg: hub!.name,
      status: m.status ?? 'ACTIVE',
      errorSummary: null,
      lastPush: null,
      created: now,
      lastUpdated: now,
    });
    pushMapping(world, org, app, mapping);
  }
}

function customProperty(name: string, type: string): Record<string, unknown> {
  return {
    title: name,
    type,
    scope: 'NONE',
    permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
    master: { type: 'PROFILE_MASTER' },
  };
}

/** Fills `${orgs.NAME.url}` and `${orgs.NAME.tokens.TOKEN}` in the seed's env. */
export function resolveEnv(world: SimWorld, env: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) {
    out[k] = v.replace(PLACEHOLDER, (_m, org: string, _what: string, token: string | undefined) =>
      token !== undefined ? (world.org(org).tokenValues[token] ?? '') : world.org(org).url,
    );
  }
  return out;
}
