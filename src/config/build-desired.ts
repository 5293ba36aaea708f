/**
 * From schema-valid raw data to DesiredState: `${NAME}` references expanded, secrets wrapped,
 * defaults applied, source positions attached. Problems found on the way (literal secrets,
 * unset variables) are reported, not thrown, so the user sees them all at once.
 */
import type { SourceProblem } from '../errors.js';
import { expandReferences, referencedNames, wholeReference } from './env-refs.js';
import type { RawConnectionFields } from './rules.js';
import { Secret, type OrgAuth } from '../credentials.js';
import { describePointer, SENSITIVE_POINTER } from './schema-check.js';
import { positionOf, problemAt, type ConfigSource } from './source-file.js';
import { DEFAULT_SERVICE_APP_ROLES, DEFAULT_SERVICE_APP_SCOPES } from './types.js';
import { expressionReads, plainReference } from './okta-el.js';
import type {
  AttributeType,
  DesiredAttribute,
  DesiredConnection,
  DesiredGroupAssignment,
  DesiredPushGroup,
  DesiredSpoke,
  DriftPolicy,
  DesiredState,
  DesiredUserAssignment,
  ToOktaImport,
  InitialStatus,
  OwnershipMode,
  SourcePos,
  ToAppFeatures,
  ToOkta,
} from './types.js';

/* Raw shapes as the schema guarantees them (before defaults). */
interface RawAuth {
  token?: string;
  oauth?: { clientId: string; privateKey: string; keyId?: string; scopes: string[]; dpop?: boolean };
}
interface RawUser {
  login: string;
  initialStatus?: InitialStatus;
  securityQuestion?: string;
  securityAnswer?: string;
  profile?: Record<string, unknown>;
}
interface RawGroup {
  name: string;
  priority?: number;
  profile?: Record<string, unknown>;
}
interface RawPush {
  name: string;
  targetName?: string;
  link?: boolean;
  status?: 'ACTIVE' | 'INACTIVE';
  remove?: boolean;
  onRemove?: 'keepTarget' | 'deleteTarget';
}
interface RawAttribute {
  name: string;
  source: string;
  push?: 'PUSH' | 'DONT_PUSH';
  type?: AttributeType;
  title?: string;
  create?: boolean;
  remove?: boolean;
}
interface RawSpoke {
  name: string;
  url: string;
  auth: RawAuth;
  mode?: 'managed' | 'observe';
  drift?: DriftPolicy;
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
    drift?: DriftPolicy;
    missingUsers?: 'error' | 'skip';
    defaults?: { initialStatus?: InitialStatus };
    attributeNames?: { initialStatus?: string; securityQuestion?: string; securityAnswer?: string };
    users?: RawUser[];
    groups?: RawGroup[];
  };
  pushGroups?: { mode?: OwnershipMode; drift?: DriftPolicy; groups?: RawPush[] };
  attributes?: { mode?: OwnershipMode; carry?: RawAttribute[] };
}
export interface RawConfig {
  version: 1;
  hub: { url: string; auth?: RawAuth; attributes?: { carry?: RawAttribute[] } };
  spokes: RawSpoke[];
}

export interface BuildOptions {
  env: Record<string, string | undefined>;
  requireSecrets: boolean;
  /**
   * Secrets only apply sends (the connection's provisioning token, security answers) may be unset:
   * `plan` needs only their variable names, so a pull request's plan job holds no secret that can
   * write. Unset, each is a warning saying what is then left to check and apply.
   */
  applySecretsOptional?: boolean;
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
  /** Pointers whose `${NAME}` references are unset (or refused). */
  unresolved: Set<string>;
  /** The text as written, for pointers whose value had references expanded: messages quote this, never the value. */
  written: Map<string, string>;
  connections: RawConnectionFields[];
}

const DEFAULT_INITIAL_STATUS: InitialStatus = 'active_without_pass';

export function buildDesiredState(source: ConfigSource, raw: RawConfig, digest: string, options: BuildOptions): BuildResult {
  const read = new ValueReader(source, options);
  const desired: DesiredState = {
    file: source.file,
    digest,
    hub: { url: normalizeOrigin(read.text('/hub/url', raw.hub.url)) },
    spokes: [],
  };
  if (raw.hub.auth) desired.hub.auth = read.auth('/hub/auth', raw.hub.auth);
  desired.hub.urlSource = urlSource('hub.url', raw.hub.url);
  const connections: RawConnectionFields[] = [];
  const hubAttributes = desiredAttributes(read, raw.hub.attributes?.carry ?? [], '/hub/attributes/carry', true);
  raw.spokes.forEach((s, i) => {
    read.selectSpoke(s.name);
    if (s.connection) connections.push(connectionFields(i, s.connection, raw.hub.auth !== undefined));
    desired.spokes.push(desiredSpoke(read, s, i, hubAttributes));
  });
  return { desired, problems: read.problems, unresolved: read.unresolved, written: read.written, connections };
}

/**
 * The variables the file uses as secrets (the whole value of a sensitive field), each with the
 * first place it is used so. Read from the whole document, whichever Spokes are selected: a
 * variable is a secret because of what the file says, not because of what this run reads.
 */
export function secretVariables(raw: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${pointer}/${i}`));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (SENSITIVE_POINTER.test(at) && typeof value === 'string') {
        const name = wholeReference(value);
        if (name !== undefined && !found.has(name)) found.set(name, at);
      } else visit(value, at);
    }
  };
  visit(raw, '');
  return found;
}

/**
 * Reads the raw document's values: `${NAME}` expanded where allowed, secrets wrapped, positions
 * found, and every problem collected (not thrown) so the user sees them all at once.
 */
class ValueReader {
  readonly problems: SourceProblem[] = [];
  /** Pointers whose `${NAME}` references are unset. */
  readonly unresolved = new Set<string>();
  readonly written = new Map<string, string>();
  private readonly secretVars: Map<string, string>;
  private readonly warnedVars = new Set<string>();
  private warnedLiteral = false;
  /** The environment references resolve against: options.env, or nothing for a Spoke not selected. */
  private scope: { env: Record<string, string | undefined>; report: boolean };

  constructor(
    private readonly source: ConfigSource,
    private readonly options: BuildOptions,
  ) {
    this.scope = { env: options.env, report: true };
    this.secretVars = secretVariables(source.data);
  }

  selectSpoke(name: string): void {
    const selected = !this.options.spokes || this.options.spokes.includes(name);
    this.scope = selected ? { env: this.options.env, report: true } : { env: {}, report: false };
  }

  pos(pointer: string): SourcePos {
    return positionOf(this.source, pointer);
  }

  report(pointer: string, message: string, severity: SourceProblem['severity'] = 'error'): void {
    const { line, col } = this.pos(pointer);
    this.problems.push(problemAt(this.source.file, line, col, pointer, message, severity));
  }

  private reportUnset(pointer: string, names: string[], applyOnly = false): void {
    this.unresolved.add(pointer);
    if (!this.scope.report) return;
    for (const name of names) {
      if (applyOnly && this.options.applySecretsOptional) {
        if (this.warnedVars.has(name)) continue;
        this.warnedVars.add(name);
        this.report(
          pointer,
          `environment variable ${name} is not set: the plan doesn't need it (it holds only its name)${pointer.endsWith('/connection/token') ? ' and leaves testing the provisioning token to `org2org check`' : ''}; apply will need it`,
          'warning',
        );
      } else if (this.options.requireSecrets) {
        this.report(pointer, `environment variable ${name} is not set — export ${name} before running this command`);
      } else if (!this.warnedVars.has(name)) {
        // Offline validation runs without secrets (CI on forks): one reminder per variable is enough.
        this.warnedVars.add(name);
        this.report(pointer, `environment variable ${name} is not set — plan, apply and check will need it`, 'warning');
      }
    }
  }

  /** A value that may differ per environment (URL, OAuth client or key id): `${NAME}` expanded. */
  text(pointer: string, value: string): string {
    // A secret's variable in a plain field would put the secret where plain values go: the plan,
    // the PR comment, the plan file, a URL's path. Refused before its value is read, so nothing
    // downstream (rules, messages, requests) ever holds it; reported whichever Spoke is selected.
    const secret = referencedNames(value).find((name) => this.secretVars.has(name));
    if (secret !== undefined) {
      this.unresolved.add(pointer);
      this.report(
        pointer,
        `\${${secret}} is used as a secret in ${describePointer(this.secretVars.get(secret)!)}; ${describePointer(pointer)} is not secret (it is shown in plans and sent as is) — use another variable here`,
      );
      return value;
    }
    const { value: expanded, unset } = expandReferences(value, this.scope.env);
    if (expanded !== value) this.written.set(pointer, value);
    if (unset.length > 0) this.reportUnset(pointer, unset);
    return expanded;
  }

  optionalText(pointer: string, value: string | undefined): string | undefined {
    return value === undefined ? undefined : this.text(pointer, value);
  }

  /**
   * A name (login, group, label, question): taken exactly as written. `${…}` is expanded only in
   * URLs, OAuth client and key ids and secrets — values that differ per environment. In a name it
   * would let whoever names an Okta object read any variable of the process (a group named
   * `${OKTA_HUB_PROVISIONING_TOKEN}`, exported, would print and send the token).
   */
  literal(pointer: string, value: string): string {
    const ref = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(value);
    if (ref && !this.warnedLiteral) {
      this.warnedLiteral = true;
      this.report(
        pointer,
        `${ref[0]} is taken literally here: environment variables are expanded only in URLs, OAuth client and key ids and secrets`,
        'warning',
      );
    }
    return value;
  }

  optionalLiteral(pointer: string, value: string | undefined): string | undefined {
    return value === undefined ? undefined : this.literal(pointer, value);
  }

  /** `applyOnly`: a secret only apply sends (see BuildOptions.applySecretsOptional). */
  secret(pointer: string, value: string, applyOnly = false): Secret {
    const name = wholeReference(value);
    if (name === undefined) {
      // Never echo the value: it may be a real secret pasted by mistake.
      this.report(
        pointer,
        `${pointer.split('/').pop()} is a sensitive field and must be a \${NAME} environment variable reference, not a literal value — move the value to an environment variable and write \${NAME}`,
      );
      return new Secret('(literal)', undefined);
    }
    const v = this.scope.env[name];
    if (v === undefined || v === '') this.reportUnset(pointer, [name], applyOnly);
    return new Secret(name, v);
  }

  auth(pointer: string, a: RawAuth): OrgAuth {
    if (a.token !== undefined) return { kind: 'token', token: this.secret(`${pointer}/token`, a.token) };
    const o = a.oauth!;
    const result: OrgAuth = {
      kind: 'oauth',
      clientId: this.text(`${pointer}/oauth/clientId`, o.clientId),
      privateKey: this.secret(`${pointer}/oauth/privateKey`, o.privateKey),
      scopes: [...o.scopes],
    };
    if (o.keyId !== undefined) result.keyId = this.text(`${pointer}/oauth/keyId`, o.keyId);
    if (o.dpop !== undefined) result.dpop = o.dpop;
    return result;
  }
}

/** Which connection fields the file gives, for the rules that check their combinations. */
function connectionFields(spokeIndex: number, c: NonNullable<RawSpoke['connection']>, hubAuth: boolean): RawConnectionFields {
  return {
    spokeIndex,
    authScheme: c.authScheme,
    has: {
      token: c.token !== undefined,
      clientId: c.clientId !== undefined,
      rotationMode: c.rotationMode !== undefined,
      managed: c.hubServiceApp === 'managed',
      scopesOrRoles: c.scopes !== undefined || c.roles !== undefined,
      hubAuth,
    },
  };
}

function desiredSpoke(read: ValueReader, s: RawSpoke, i: number, hubAttributes: DesiredAttribute[]): DesiredSpoke {
  const at = `/spokes/${i}`;
  const assignments = s.assignments ?? {};
  // Read in the file's order, so that problems are listed in it.
  const connection = s.connection ? desiredConnection(read, s.connection, at) : undefined;
  const users = desiredUsers(read, assignments, at);
  const groups = desiredGroups(read, assignments.groups ?? [], at);
  const pushes = desiredPushGroups(read, s.pushGroups?.groups ?? [], at);
  const own = desiredAttributes(read, s.attributes?.carry ?? [], `${at}/attributes/carry`, false);
  // The Spoke's own entry replaces the Hub's default of the same name, in the default's place.
  const ownByName = new Map(own.map((a) => [a.name, a]));
  const carry = [
    ...hubAttributes.map((a) => ownByName.get(a.name) ?? a),
    ...own.filter((a) => !hubAttributes.some((h) => h.name === a.name)),
  ];
  const spoke: DesiredSpoke = {
    name: s.name,
    url: normalizeOrigin(read.text(`${at}/url`, s.url)),
    auth: read.auth(`${at}/auth`, s.auth),
    mode: s.mode ?? 'managed',
    app: {
      label: read.literal(`${at}/app/label`, s.app.label),
      ...(s.app.signOnMode !== undefined ? { signOnMode: s.app.signOnMode } : {}),
      ...(s.app.create === true ? { create: true } : {}),
    },
    provisioning: {},
    assignments: {
      mode: assignments.mode ?? 'additive',
      users,
      groups,
      ...(assignments.missingUsers === 'skip' ? { missingUsers: 'skip' as const } : {}),
    },
    pushGroups: { mode: s.pushGroups?.mode ?? 'additive', groups: pushes },
    attributes: { mode: s.attributes?.mode ?? 'additive', carry },
    pos: read.pos(at),
  };
  spoke.urlSource = urlSource(`spokes[${i}].url`, s.url);
  if (connection) spoke.connection = connection;
  if (s.provisioning?.toApp) spoke.provisioning.toApp = copyToApp(s.provisioning.toApp);
  if (s.provisioning?.toOkta) spoke.provisioning.toOkta = copyToOkta(s.provisioning.toOkta);
  if (assignments.attributeNames) spoke.assignments.attributeNames = { ...assignments.attributeNames };
  if (s.drift) spoke.drift = s.drift;
  if (assignments.drift) spoke.assignments.drift = assignments.drift;
  if (s.pushGroups?.drift) spoke.pushGroups.drift = s.pushGroups.drift;
  return spoke;
}

function desiredConnection(read: ValueReader, c: NonNullable<RawSpoke['connection']>, at: string): DesiredConnection {
  const enabled = c.enabled ?? true;
  if (c.authScheme === 'TOKEN') {
    return {
      authScheme: 'TOKEN',
      token: c.token === undefined ? new Secret('(missing)', undefined) : read.secret(`${at}/connection/token`, c.token, true),
      enabled,
    };
  }
  const connection: DesiredConnection = { authScheme: 'OAUTH2', rotationMode: c.rotationMode ?? 'AUTO', enabled };
  if (c.hubServiceApp === 'managed') {
    connection.managed = { scopes: [...(c.scopes ?? DEFAULT_SERVICE_APP_SCOPES)], roles: [...(c.roles ?? DEFAULT_SERVICE_APP_ROLES)] };
  } else {
    connection.clientId = read.optionalText(`${at}/connection/clientId`, c.clientId) ?? '';
  }
  return connection;
}

function desiredUsers(read: ValueReader, assignments: NonNullable<RawSpoke['assignments']>, at: string): DesiredUserAssignment[] {
  const defaultStatus = assignments.defaults?.initialStatus ?? DEFAULT_INITIAL_STATUS;
  return (assignments.users ?? []).map((u, j) => {
    const up = `${at}/assignments/users/${j}`;
    const login = read.literal(`${up}/login`, u.login);
    const user: DesiredUserAssignment = {
      login,
      loginKey: login.toLowerCase(),
      initialStatus: u.initialStatus ?? defaultStatus,
      profile: { ...(u.profile ?? {}) },
      pos: read.pos(up),
    };
    if (u.securityQuestion !== undefined) user.securityQuestion = read.literal(`${up}/securityQuestion`, u.securityQuestion);
    if (u.securityAnswer !== undefined) user.securityAnswer = read.secret(`${up}/securityAnswer`, u.securityAnswer, true);
    return user;
  });
}

function desiredGroups(read: ValueReader, groups: RawGroup[], at: string): DesiredGroupAssignment[] {
  return groups.map((g, j) => {
    const gp = `${at}/assignments/groups/${j}`;
    const group: DesiredGroupAssignment = {
      name: read.literal(`${gp}/name`, g.name),
      profile: { ...(g.profile ?? {}) },
      pos: read.pos(gp),
    };
    if (g.priority !== undefined) group.priority = g.priority;
    return group;
  });
}

function desiredPushGroups(read: ValueReader, pushes: RawPush[], at: string): DesiredPushGroup[] {
  return pushes.map((p, j): DesiredPushGroup => {
    const pp = `${at}/pushGroups/groups/${j}`;
    const name = read.literal(`${pp}/name`, p.name);
    return {
      name,
      targetName: read.optionalLiteral(`${pp}/targetName`, p.targetName) ?? name,
      link: p.link ?? false,
      status: p.status ?? 'ACTIVE',
      remove: p.remove ?? false,
      onRemove: p.onRemove ?? 'keepTarget',
      pos: read.pos(pp),
    };
  });
}

/** Attribute entries; a malformed source expression is a config error at its line. */
function desiredAttributes(read: ValueReader, entries: RawAttribute[], at: string, fromHub: boolean): DesiredAttribute[] {
  const seen = new Map<string, number>();
  return entries.map((a, j): DesiredAttribute => {
    const ap = `${at}/${j}`;
    const first = seen.get(a.name);
    if (first !== undefined)
      read.report(`${ap}/name`, `attribute "${a.name}" is already carried by entry ${first} of this list — keep one`);
    else seen.set(a.name, j);
    const source = read.literal(`${ap}/source`, a.source);
    const parsed = expressionReads(source);
    if ('error' in parsed)
      read.report(`${ap}/source`, `the source expression ${JSON.stringify(source)} is not valid Okta Expression Language: ${parsed.error}`);
    const reference = plainReference(source);
    return {
      name: a.name,
      source,
      reads: 'reads' in parsed ? parsed.reads : [],
      ...(reference !== undefined ? { reference } : {}),
      push: a.push ?? 'PUSH',
      type: a.type ?? 'string',
      title: read.optionalLiteral(`${ap}/title`, a.title) ?? a.name,
      create: a.create ?? false,
      remove: a.remove ?? false,
      fromHub,
      pos: read.pos(ap),
      sourcePos: read.pos(`${ap}/source`),
    };
  });
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
  if (t.import) out.import = structuredClone(t.import) as ToOktaImport;
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
