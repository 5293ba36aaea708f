/**
 * From schema-valid raw data to DesiredState: `${NAME}` references expanded, secrets wrapped,
 * defaults applied, source positions attached. Problems found on the way (literal secrets,
 * unset variables) are reported, not thrown, so the user sees them all at once.
 */
import type { SourceProblem } from '../errors.js';
import { expandReferences, referencedNames, wholeReference } from './env-refs.js';
import type { RawConnectionFields } from './rules.js';
import { Secret, type OrgAuth } from '../credentials.js';
import { positionOf, problemAt, type ConfigSource } from './source-file.js';
import { DEFAULT_SERVICE_APP_ROLES, DEFAULT_SERVICE_APP_SCOPES } from './types.js';
import type {
  DesiredConnection,
  DesiredPushGroup,
  DesiredSpoke,
  DesiredState,
  InboundImport,
  InitialStatus,
  OwnershipMode,
  SourcePos,
  ToAppFeatures,
  ToOkta,
} from './types.js';

/* Raw shapes as the schema guarantees them (before defaults). */
interface RawAuth { token?: string; oauth?: { clientId: string; privateKey: string; keyId?: string; scopes: string[] } }
interface RawUser { login: string; initialStatus?: InitialStatus; securityQuestion?: string; securityAnswer?: string; profile?: Record<string, unknown> }
interface RawGroup { name: string; priority?: number; profile?: Record<string, unknown> }
interface RawPush { name: string; targetName?: string; link?: boolean; status?: 'ACTIVE' | 'INACTIVE'; remove?: boolean; onRemove?: 'keepTarget' | 'deleteTarget' }
interface RawSpoke {
  name: string;
  url: string;
  auth: RawAuth;
  mode?: 'managed' | 'observe';
  app: { label: string; signOnMode?: 'SAML_2_0' | 'AUTO_LOGIN'; create?: boolean };
  connection?: {
    authScheme: 'TOKEN' | 'OAUTH2';
    token?: string;
    clientId?: string;
    hubServiceApp?: 'managed';
    scopes?: string[];
    roles?: string[];
    rotationMode?: 'AUTO' | 'MANUAL';
    enabled?: boolean;
  };
  provisioning?: { toApp?: ToAppFeatures; toOkta?: ToOkta };
  assignments?: {
    mode?: OwnershipMode;
    missingUsers?: 'error' | 'skip';
    defaults?: { initialStatus?: InitialStatus };
    attributeNames?: { initialStatus?: string; securityQuestion?: string; securityAnswer?: string };
    users?: RawUser[];
    groups?: RawGroup[];
  };
  pushGroups?: { mode?: OwnershipMode; groups?: RawPush[] };
}
export interface RawConfig { version: 1; hub: { url: string; auth?: RawAuth }; spokes: RawSpoke[] }

export interface BuildOptions {
  env: Record<string, string | undefined>;
  requireSecrets: boolean;
  /**
   * The Spokes whose `${NAME}` references are read (all when absent). The others are built from
   * the document alone: their references stay unresolved and unreported, and `env` is never
   * consulted for them, so a job for one Spoke needs (and sees) no other Spoke's secrets.
   */
  spokes?: readonly string[];
}

export interface BuildResult {
  desired: DesiredState;
  problems: SourceProblem[];
  /** Pointers whose `${NAME}` references are unset. */
  unresolved: Set<string>;
  connections: RawConnectionFields[];
}

const DEFAULT_INITIAL_STATUS: InitialStatus = 'active_without_pass';

export function buildDesiredState(source: ConfigSource, raw: RawConfig, digest: string, options: BuildOptions): BuildResult {
  const problems: SourceProblem[] = [];
  const unresolved = new Set<string>();
  const warnedVars = new Set<string>();
  const connections: RawConnectionFields[] = [];
  // The environment references resolve against: options.env, or nothing for a Spoke not selected.
  let scope: { env: Record<string, string | undefined>; report: boolean } = { env: options.env, report: true };

  const pos = (pointer: string): SourcePos => positionOf(source, pointer);
  const report = (pointer: string, message: string, severity: SourceProblem['severity'] = 'error'): void => {
    const { line, col } = pos(pointer);
    problems.push(problemAt(source.file, line, col, pointer, message, severity));
  };

  const reportUnset = (pointer: string, names: string[]): void => {
    unresolved.add(pointer);
    if (!scope.report) return;
    for (const name of names) {
      if (options.requireSecrets) {
        report(pointer, `environment variable ${name} is not set — export ${name} before running this command`);
      } else if (!warnedVars.has(name)) {
        // Offline validation runs without secrets (CI on forks): one reminder per variable is enough.
        warnedVars.add(name);
        report(pointer, `environment variable ${name} is not set — plan, apply and check will need it`, 'warning');
      }
    }
  };

  const text = (pointer: string, value: string): string => {
    const { value: expanded, unset } = expandReferences(value, scope.env);
    if (unset.length > 0) reportUnset(pointer, unset);
    return expanded;
  };
  const optionalText = (pointer: string, value: string | undefined): string | undefined => (value === undefined ? undefined : text(pointer, value));

  let warnedLiteral = false;
  /**
   * A name (login, group, label, question): taken exactly as written. `${…}` is expanded only in
   * URLs, OAuth client and key ids and secrets — values that differ per environment. In a name it
   * would let whoever names an Okta object read any variable of the process (a group named
   * `${OKTA_HUB_PROVISIONING_TOKEN}`, exported, would print and send the token).
   */
  const literal = (pointer: string, value: string): string => {
    const ref = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(value);
    if (ref && !warnedLiteral) {
      warnedLiteral = true;
      report(pointer, `${ref[0]} is taken literally here: environment variables are expanded only in URLs, OAuth client and key ids and secrets`, 'warning');
    }
    return value;
  };
  const optionalLiteral = (pointer: string, value: string | undefined): string | undefined => (value === undefined ? undefined : literal(pointer, value));

  const secret = (pointer: string, value: string): Secret => {
    const name = wholeReference(value);
    if (name === undefined) {
      // Never echo the value: it may be a real secret pasted by mistake.
      report(pointer, `${pointer.split('/').pop()} is a sensitive field and must be a \${NAME} environment variable reference, not a literal value — move the value to an environment variable and write \${NAME}`);
      return new Secret('(literal)', undefined);
    }
    const v = scope.env[name];
    if (v === undefined || v === '') reportUnset(pointer, [name]);
    return new Secret(name, v);
  };

  const auth = (pointer: string, a: RawAuth): OrgAuth => {
    if (a.token !== undefined) return { kind: 'token', token: secret(`${pointer}/token`, a.token) };
    const o = a.oauth!;
    const result: OrgAuth = {
      kind: 'oauth',
      clientId: text(`${pointer}/oauth/clientId`, o.clientId),
      privateKey: secret(`${pointer}/oauth/privateKey`, o.privateKey),
      scopes: [...o.scopes],
    };
    if (o.keyId !== undefined) result.keyId = text(`${pointer}/oauth/keyId`, o.keyId);
    return result;
  };

  const hubUrl = text('/hub/url', raw.hub.url);
  const desired: DesiredState = {
    file: source.file,
    digest,
    hub: { url: normalizeOrigin(hubUrl) },
    spokes: [],
  };
  if (raw.hub.auth) desired.hub.auth = auth('/hub/auth', raw.hub.auth);
  desired.hub.urlSource = urlSource('hub.url', raw.hub.url);

  raw.spokes.forEach((s, i) => {
    const at = `/spokes/${i}`;
    scope = !options.spokes || options.spokes.includes(s.name) ? { env: options.env, report: true } : { env: {}, report: false };
    let connection: DesiredConnection | undefined;
    if (s.connection) {
      const c = s.connection;
      connections.push({
        spokeIndex: i,
        authScheme: c.authScheme,
        has: {
          token: c.token !== undefined,
          clientId: c.clientId !== undefined,
          rotationMode: c.rotationMode !== undefined,
          managed: c.hubServiceApp === 'managed',
          scopesOrRoles: c.scopes !== undefined || c.roles !== undefined,
          hubAuth: raw.hub.auth !== undefined,
        },
      });
      const enabled = c.enabled ?? true;
      if (c.authScheme === 'TOKEN') {
        connection = { authScheme: 'TOKEN', token: c.token === undefined ? new Secret('(missing)', undefined) : secret(`${at}/connection/token`, c.token), enabled };
      } else {
        connection = { authScheme: 'OAUTH2', rotationMode: c.rotationMode ?? 'AUTO', enabled };
        if (c.hubServiceApp === 'managed') {
          connection.managed = { scopes: [...(c.scopes ?? DEFAULT_SERVICE_APP_SCOPES)], roles: [...(c.roles ?? DEFAULT_SERVICE_APP_ROLES)] };
        } else {
          connection.clientId = optionalText(`${at}/connection/clientId`, c.clientId) ?? '';
        }
      }
    }
    const assignments = s.assignments ?? {};
    const defaultStatus = assignments.defaults?.initialStatus ?? DEFAULT_INITIAL_STATUS;
    const users = (assignments.users ?? []).map((u, j) => {
      const up = `${at}/assignments/users/${j}`;
      const login = literal(`${up}/login`, u.login);
      const user: DesiredSpoke['assignments']['users'][number] = {
        login,
        loginKey: login.toLowerCase(),
        initialStatus: u.initialStatus ?? defaultStatus,
        profile: { ...(u.profile ?? {}) },
        pos: pos(up),
      };
      if (u.securityQuestion !== undefined) user.securityQuestion = literal(`${up}/securityQuestion`, u.securityQuestion);
      if (u.securityAnswer !== undefined) user.securityAnswer = secret(`${up}/securityAnswer`, u.securityAnswer);
      return user;
    });
    const groups = (assignments.groups ?? []).map((g, j) => {
      const gp = `${at}/assignments/groups/${j}`;
      const group: DesiredSpoke['assignments']['groups'][number] = { name: literal(`${gp}/name`, g.name), profile: { ...(g.profile ?? {}) }, pos: pos(gp) };
      if (g.priority !== undefined) group.priority = g.priority;
      return group;
    });
    const pushes = (s.pushGroups?.groups ?? []).map((p, j): DesiredPushGroup => {
      const pp = `${at}/pushGroups/groups/${j}`;
      const name = literal(`${pp}/name`, p.name);
      return {
        name,
        targetName: optionalLiteral(`${pp}/targetName`, p.targetName) ?? name,
        link: p.link ?? false,
        status: p.status ?? 'ACTIVE',
        remove: p.remove ?? false,
        onRemove: p.onRemove ?? 'keepTarget',
        pos: pos(pp),
      };
    });
    const spoke: DesiredSpoke = {
      name: s.name,
      url: normalizeOrigin(text(`${at}/url`, s.url)),
      auth: auth(`${at}/auth`, s.auth),
      mode: s.mode ?? 'managed',
      app: { label: literal(`${at}/app/label`, s.app.label), ...(s.app.signOnMode !== undefined ? { signOnMode: s.app.signOnMode } : {}), ...(s.app.create === true ? { create: true } : {}) },
      provisioning: {},
      assignments: { mode: assignments.mode ?? 'additive', users, groups, ...(assignments.missingUsers === 'skip' ? { missingUsers: 'skip' as const } : {}) },
      pushGroups: { mode: s.pushGroups?.mode ?? 'additive', groups: pushes },
      pos: pos(at),
    };
    spoke.urlSource = urlSource(`spokes[${i}].url`, s.url);
    if (connection) spoke.connection = connection;
    if (s.provisioning?.toApp) spoke.provisioning.toApp = copyToApp(s.provisioning.toApp);
    if (s.provisioning?.toOkta) spoke.provisioning.toOkta = copyToOkta(s.provisioning.toOkta);
    if (assignments.attributeNames) spoke.assignments.attributeNames = { ...assignments.attributeNames };
    desired.spokes.push(spoke);
  });

  return { desired, problems, unresolved, connections };
}

/** "spokes[0].url (${OKTA_EMEA_URL})": what to fix when the URL doesn't answer. */
function urlSource(field: string, raw: string): string {
  const names = referencedNames(raw);
  return names.length > 0 ? `${field} (${names.map((n) => `\${${n}}`).join(', ')})` : field;
}

function copyToApp(t: ToAppFeatures): ToAppFeatures {
  return {
    createUsers: t.createUsers,
    updateUserAttributes: t.updateUserAttributes,
    deactivateUsers: t.deactivateUsers,
    syncPassword: t.syncPassword === false ? false : { seed: t.syncPassword.seed, change: t.syncPassword.change },
  };
}

function copyToOkta(t: ToOkta): ToOkta {
  const out: ToOkta = {};
  if (t.profileSourcing !== undefined) out.profileSourcing = t.profileSourcing;
  if (t.import) out.import = structuredClone(t.import) as InboundImport;
  return out;
}

/** `https://Acme.okta.com/` → `https://acme.okta.com`; unparsable values are left for the URL rule. */
export function normalizeOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search && !parsed.hash ? parsed.origin : url.replace(/\/+$/, '');
  } catch {
    return url;
  }
}
