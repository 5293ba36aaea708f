/**
 * Small in-memory builders for planner tests: a DesiredState from a compact JSON form (the
 * golden fixtures' config.json) and LiveState pieces with sensible empty defaults.
 * Secrets are written `{ "$secret": "ENV_NAME" }` and get a canary value, so tests can prove
 * no secret value reaches any output.
 */
import { Secret } from '../../src/credentials.js';
import type { DesiredSpoke, DesiredState, DesiredUserAssignment, InitialStatus } from '../../src/config/types.js';
import { emptyLiveSpoke, type LiveAppUser, type LiveSpoke, type LiveState } from '../../src/state/types.js';

/** The value every fixture secret holds: it must never appear in any rendered output. */
export const CANARY = 'canary-secret-value-7f3a9c';

type Json = Record<string, any>;

function secret(value: unknown): Secret {
  const envVar = (value as { $secret?: string })?.$secret;
  if (typeof envVar !== 'string') throw new Error(`expected { "$secret": "VAR" }, got ${JSON.stringify(value)}`);
  return new Secret(envVar, `${CANARY}-${envVar}`);
}

export function desiredFromJson(json: Json): DesiredState {
  return {
    file: json.file ?? 'org2org.config.yaml',
    digest: json.digest ?? 'c'.repeat(64),
    hub: { url: json.hub?.url ?? 'https://hub.example.com' },
    spokes: (json.spokes ?? []).map(spokeFromJson),
  };
}

function spokeFromJson(s: Json, index: number): DesiredSpoke {
  const defaults = s.assignments?.defaults ?? {};
  const spoke: DesiredSpoke = {
    name: s.name,
    url: s.url ?? `https://${s.name}.example.com`,
    auth: { kind: 'token', token: new Secret(`OKTA_${String(s.name).toUpperCase()}_TOKEN`, `${CANARY}-auth`) },
    mode: s.mode ?? 'managed',
    app: { label: s.app?.label ?? 'Acme Hub', ...(s.app?.signOnMode !== undefined ? { signOnMode: s.app.signOnMode } : {}) },
    provisioning: {},
    assignments: {
      mode: s.assignments?.mode ?? 'additive',
      users: (s.assignments?.users ?? []).map((u: Json, i: number) => userFromJson(u, defaults, i)),
      groups: (s.assignments?.groups ?? []).map((g: Json, i: number) => ({
        name: g.name,
        profile: g.profile ?? {},
        ...(g.priority !== undefined ? { priority: g.priority } : {}),
        pos: { line: 200 + i, col: 11 },
      })),
    },
    pushGroups: {
      mode: s.pushGroups?.mode ?? 'additive',
      groups: (s.pushGroups?.groups ?? []).map((g: Json, i: number) => ({
        name: g.name,
        targetName: g.targetName ?? g.name,
        link: g.link ?? false,
        status: g.status ?? 'ACTIVE',
        remove: g.remove ?? false,
        onRemove: g.onRemove ?? 'keepTarget',
        pos: { line: 300 + i, col: 11 },
      })),
    },
    pos: { line: 10 + index * 100, col: 5 },
  };
  if (s.assignments?.attributeNames) spoke.assignments.attributeNames = s.assignments.attributeNames;
  if (s.assignments?.missingUsers) spoke.assignments.missingUsers = s.assignments.missingUsers;
  if (s.connection) {
    spoke.connection =
      s.connection.authScheme === 'OAUTH2'
        ? { authScheme: 'OAUTH2', clientId: s.connection.clientId, rotationMode: s.connection.rotationMode ?? 'AUTO', enabled: s.connection.enabled ?? true }
        : { authScheme: 'TOKEN', token: secret(s.connection.token), enabled: s.connection.enabled ?? true };
  }
  if (s.provisioning?.toApp) spoke.provisioning.toApp = s.provisioning.toApp;
  if (s.provisioning?.toOkta) spoke.provisioning.toOkta = s.provisioning.toOkta;
  return spoke;
}

function userFromJson(u: Json, defaults: Json, i: number): DesiredUserAssignment {
  const user: DesiredUserAssignment = {
    login: u.login,
    loginKey: String(u.login).toLowerCase(),
    initialStatus: (u.initialStatus ?? defaults.initialStatus ?? 'active_without_pass') as InitialStatus,
    profile: u.profile ?? {},
    pos: { line: 100 + i, col: 11 },
  };
  if (u.securityQuestion !== undefined) user.securityQuestion = u.securityQuestion;
  if (u.securityAnswer !== undefined) user.securityAnswer = secret(u.securityAnswer);
  return user;
}

/** LiveState from its JSON form, every spoke completed with empty defaults. */
export function liveFromJson(json: Json): LiveState {
  const spokes: Record<string, LiveSpoke> = {};
  for (const [name, s] of Object.entries<Json>(json.spokes ?? {})) spokes[name] = liveSpoke(name, s);
  const state: LiveState = { spokes, notes: json.notes ?? [] };
  if (json.hub) state.hub = { users: json.hub.users ?? {}, groups: json.hub.groups ?? {} };
  return state;
}

export function liveSpoke(name: string, extra: Partial<LiveSpoke> = {}): LiveSpoke {
  return { ...emptyLiveSpoke(name), ...extra };
}

export function liveAppUser(login: string, extra: Partial<LiveAppUser> = {}): LiveAppUser {
  return {
    userId: `00u-${login}`,
    login,
    loginKey: login.toLowerCase(),
    scope: 'USER',
    status: 'PROVISIONED',
    syncState: 'SYNCHRONIZED',
    initialStatus: 'active_without_pass',
    profile: { initialStatus: 'active_without_pass' },
    fingerprint: `fp-${login}`,
    ...extra,
  };
}
