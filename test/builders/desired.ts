/**
 * DesiredState for tests, built in memory (the config loader has tests of its own): a Spoke from
 * a few names (`desiredSpoke`), or from the golden fixtures' compact JSON form (`desiredFromJson`).
 * Fixture secrets are written `{ "$secret": "ENV_NAME" }` and hold a canary value, so tests can
 * prove no secret value reaches any output.
 */
import { Secret, type OrgAuth } from '../../src/credentials.js';
import type {
  DesiredConnection,
  DesiredSpoke,
  DesiredState,
  DesiredUserAssignment,
  InitialStatus,
  OwnershipMode,
} from '../../src/config/types.js';

/** The value every fixture secret holds: it must never appear in any rendered output. */
export const CANARY = 'canary-secret-value-7f3a9c';

type Json = Record<string, any>;

export function desiredState(hubUrl: string, spokes: DesiredSpoke[] = [], extra: Partial<DesiredState> = {}): DesiredState {
  return { file: 'org2org.config.yaml', digest: 'd'.repeat(64), hub: { url: hubUrl }, spokes, ...extra };
}

type UserPart = string | (Partial<DesiredUserAssignment> & { login: string });

/** A managed Spoke with the app `Acme Hub` (SAML_2_0) and the lists given; its token's value is unused unless `auth` is given. */
export function desiredSpoke(
  name: string,
  url: string,
  parts: {
    auth?: OrgAuth;
    connection?: DesiredConnection;
    usersMode?: OwnershipMode;
    users?: UserPart[];
    groups?: string[];
    push?: (string | { name: string; targetName?: string; link?: boolean })[];
  } = {},
): DesiredSpoke {
  return {
    name,
    url,
    auth: parts.auth ?? { kind: 'token', token: new Secret(`OKTA_${name.toUpperCase()}_TOKEN`, 'unused') },
    mode: 'managed',
    app: { label: 'Acme Hub', signOnMode: 'SAML_2_0' },
    ...(parts.connection ? { connection: parts.connection } : {}),
    provisioning: {},
    assignments: {
      mode: parts.usersMode ?? 'additive',
      users: (parts.users ?? []).map(userOf),
      groups: (parts.groups ?? []).map((g) => ({ name: g, profile: {} })),
    },
    pushGroups: {
      mode: 'additive',
      groups: (parts.push ?? []).map((p) => {
        const g = typeof p === 'string' ? { name: p } : p;
        return {
          name: g.name,
          targetName: g.targetName ?? g.name,
          link: g.link ?? false,
          status: 'ACTIVE' as const,
          remove: false,
          onRemove: 'keepTarget' as const,
        };
      }),
    },
    attributes: { mode: 'additive', carry: [] },
  };
}

/** In the loader's property order, so that planning it costs what planning a loaded file does. */
function userOf(part: UserPart): DesiredUserAssignment {
  const { login, ...rest } = typeof part === 'string' ? { login: part } : part;
  return { login, loginKey: login.toLowerCase(), initialStatus: 'active_without_pass', profile: {}, ...rest };
}

function secret(value: unknown): Secret {
  const envVar = (value as { $secret?: string })?.$secret;
  if (typeof envVar !== 'string') throw new Error(`expected { "$secret": "VAR" }, got ${JSON.stringify(value)}`);
  return new Secret(envVar, `${CANARY}-${envVar}`);
}

/** The golden fixtures' config.json: what the file would say, with positions for diagnostics. */
export function desiredFromJson(json: Json): DesiredState {
  return desiredState(json.hub?.url ?? 'https://hub.example.com', (json.spokes ?? []).map(spokeFromJson), {
    file: json.file ?? 'org2org.config.yaml',
    digest: json.digest ?? 'c'.repeat(64),
  });
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
    attributes: {
      mode: s.attributes?.mode ?? 'additive',
      carry: (s.attributes?.carry ?? []).map((a: Json, i: number) => ({
        name: a.name,
        source: a.source,
        reads: [...String(a.source).matchAll(/user\.([A-Za-z_]\w*)/g)].map((m) => m[1]),
        push: a.push ?? 'PUSH',
        type: a.type ?? 'string',
        title: a.title ?? a.name,
        create: a.create ?? false,
        remove: a.remove ?? false,
        fromHub: false,
        pos: { line: 400 + i, col: 11 },
        sourcePos: { line: 400 + i, col: 19 },
      })),
    },
    pos: { line: 10 + index * 100, col: 5 },
  };
  if (s.assignments?.attributeNames) spoke.assignments.attributeNames = s.assignments.attributeNames;
  if (s.assignments?.missingUsers) spoke.assignments.missingUsers = s.assignments.missingUsers;
  if (s.connection) {
    spoke.connection =
      s.connection.authScheme === 'OAUTH2'
        ? {
            authScheme: 'OAUTH2',
            clientId: s.connection.clientId,
            rotationMode: s.connection.rotationMode ?? 'AUTO',
            enabled: s.connection.enabled ?? true,
          }
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
