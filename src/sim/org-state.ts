/**
 * In-memory state of one simulated org, and the JSON views that the API returns.
 * Tests reach it through `sim.org(name)` to inspect or change things behind the API's back.
 */
import { groupTarget, logEvent, userTarget, type LogEvent } from './log-events.js';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { Collection } from './collection.js';
import { simNow } from './clock.js';
import { certificateMembers, selfSignedCertificate } from './x509.js';
import { addAppMappings, type SchemaProperty, type SimProfileMapping } from './profile-schemas.js';
import type { AdminRole } from './types.js';

export interface SimUser {
  id: string;
  seq: number;
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  profile: Record<string, unknown> & { login: string };
  roles: AdminRole[];
  /** Groups the user belongs to (ids). */
  groupIds: Set<string>;
}

export interface SimGroup {
  id: string;
  seq: number;
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  profile: { name: string; description: string | null };
  members: Set<string>;
  /**
   * An APP_GROUP that stands in this org for a group of the org an app provisions to (the Hub):
   * made when that app imports the Hub's groups, or when a push mapping creates a Hub group.
   */
  mirrorOf?: { appId: string; hubGroupId: string };
}

export interface SimAppUser {
  id: string;
  seq: number;
  scope: 'USER' | 'GROUP';
  status: string;
  syncState: string;
  externalId: string | null;
  userName: string;
  profile: Record<string, unknown>;
  created: string;
  lastUpdated: string;
  statusChanged: string;
  lastSync: string | null;
  passwordChanged: string | null;
  /** Why the last push failed (syncState ERROR). */
  errorSummary: string | null;
}

export interface SimAppGroup {
  id: string;
  seq: number;
  priority: number;
  profile: Record<string, unknown>;
  lastUpdated: string;
}

export interface SimPushMapping {
  id: string;
  seq: number;
  sourceGroupId: string;
  /** The APP_GROUP in this (the Spoke's) org that stands for the target, as Okta answers (recorded). */
  targetGroupId: string;
  /** The group in the target org (the Hub) that the push fills. */
  hubGroupId: string;
  /** Org holding the target group (the Hub). */
  targetOrg: string;
  status: 'ACTIVE' | 'INACTIVE' | 'ERROR';
  errorSummary: string | null;
  lastPush: string | null;
  created: string;
  lastUpdated: string;
}

export interface ProvisioningSettings {
  create: boolean;
  profile: boolean;
  deactivate: boolean;
  password: { enabled: boolean; seed: 'OKTA' | 'RANDOM'; change: 'CHANGE' | 'KEEP_EXISTING' };
  /** INBOUND_PROVISIONING capabilities, stored as sent (merged). */
  inbound: Record<string, unknown>;
  /** Profile Sourcing (console only; shown as PROFILE_MASTERING in the app's features). */
  profileSourcing: boolean;
}

export interface SimConnection {
  status: 'ENABLED' | 'DISABLED';
  authScheme: 'TOKEN' | 'OAUTH2' | 'UNKNOWN';
  /** Write-only: never returned by the API. */
  token: string | null;
  clientId: string | null;
  rotationMode: 'AUTO' | 'MANUAL' | null;
}

/**
 * An app's own signing key (`/api/v1/apps/{appId}/credentials/keys`). The key pair is made on
 * first use: RSA generation is slow and most apps never need one.
 */
export interface SimAppKey {
  kid: string;
  created: string;
  lastUpdated: string;
  expiresAt: string;
  pair?: { publicJwk: Record<string, unknown>; privateKey: KeyObject; certificate: { x5c: string[]; 'x5t#S256': string } };
}

/** The OAuth 2.0 client side of an app (`/oauth2/v1/clients`), as Dynamic Client Registration names it. */
export interface SimOAuthClient {
  /**
   * The client id: the app's id for a client Okta named itself (DCR, the spec); a client created
   * with a chosen `client_id` (recorded: `testclientid123456` on app `0oa…`) keeps its own.
   */
  clientId: string;
  clientName: string;
  applicationType: string;
  grantTypes: string[];
  responseTypes: string[];
  tokenEndpointAuthMethod: string;
  /** Public keys the client's `private_key_jwt` assertions are verified with (or jwksUri). */
  jwks: Record<string, unknown>[] | null;
  jwksUri: string | null;
  clientSecret: string | null;
  issuedAt: number;
  /** Requires DPoP-bound access tokens (RFC 9449; `dpop_bound_access_tokens`): a token request without a valid proof is refused. */
  dpopBound?: boolean;
}

/** A scope consent grant (`/api/v1/apps/{appId}/grants`). */
export interface SimGrant {
  id: string;
  seq: number;
  scopeId: string;
  issuer: string;
  created: string;
  /** Who granted it (real grants carry `createdBy`): the admin user, or the service app, that made the request. */
  createdBy?: { id: string; type: string };
}

/** An admin role assigned to a client (`/oauth2/v1/clients/{clientId}/roles`). */
export interface SimRoleAssignment {
  id: string;
  seq: number;
  type: AdminRole;
  created: string;
}

export interface SimApp {
  id: string;
  seq: number;
  name: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  signOnMode: string;
  created: string;
  lastUpdated: string;
  settings: Record<string, unknown>;
  connection: SimConnection;
  provisioning: ProvisioningSettings;
  users: Collection<SimAppUser>;
  groups: Collection<SimAppGroup>;
  pushMappings: Collection<SimPushMapping>;
  /** Signing keys; `signingKid` is the one in use (`credentials.signing.kid`). */
  keys: SimAppKey[];
  signingKid: string;
  /** Present on OAuth 2.0 client apps (service apps). */
  oauth?: SimOAuthClient;
  grants: Collection<SimGrant>;
  roles: Collection<SimRoleAssignment>;
  /** The app-user schema's `definitions.custom.properties` (what admins add; Org2Org carries them to the Hub). */
  userSchemaCustom: Record<string, SchemaProperty>;
}

/** A SAML 2.0 identity provider of the org (`/api/v1/idps`), trusting the IdP key credential `trustKid`. */
export interface SimIdp {
  id: string;
  seq: number;
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  issuer: string;
  ssoUrl: string;
  trustKid: string;
  created: string;
  lastUpdated: string;
}

/** An IdP key credential (`/api/v1/idps/credentials/keys`): a certificate an IdP may trust. */
export interface SimIdpKey {
  kid: string;
  x5c: string[];
  created: string;
}

/** An API token: the value is the map key (never in any answer); this is its metadata (`/api/v1/api-tokens`). */
export interface TokenGrant {
  name: string;
  userId: string;
  /** `00T…`, as Okta names tokens. */
  id: string;
  created: string;
  /**
   * Epoch ms of the token's last use. Okta renews a token's window each time it is used (guide:
   * "valid 30 days from creation or last use"), so `expiresAt` = last use + window.
   */
  lastUsedMs: number;
  /** ISO 8601 duration (`P30D` unless the org set another window). */
  tokenWindow: string;
  windowMs: number;
}

export interface AccessGrant {
  clientId: string;
  scopes: Set<string>;
  expiresAt: number;
  /** DPoP-bound: the thumbprint of the key every use must prove (RFC 9449). */
  jkt?: string;
}

/** Two letters that make ids of different orgs differ, so mixing a Hub id with a Spoke id shows. */
function orgTag(index: number): string {
  return (index + 10).toString(36).padStart(2, '0').slice(-2);
}

export class SimOrg {
  url = '';
  /** Other URLs that name this org in apps' base URLs (never served). */
  aliases: string[] = [];
  readonly users = new Collection<SimUser>();
  readonly usersByLogin = new Map<string, SimUser>();
  readonly groups = new Collection<SimGroup>();
  readonly apps = new Collection<SimApp>();
  readonly idps = new Collection<SimIdp>();
  readonly idpKeys = new Map<string, SimIdpKey>();
  /** The user schema's `definitions.custom.properties` (base attributes are Okta's, see profile-schemas.ts). */
  readonly userSchemaCustom: Record<string, SchemaProperty> = {};
  userSchemaUpdated = nowIso();
  /** Profile mappings (`/api/v1/mappings`): two per Org2Org app. */
  readonly mappings = new Collection<SimProfileMapping>();
  /** The System Log's events, oldest first (src/sim/system-log.ts). */
  readonly systemLog: LogEvent[] = [];
  /** Token value → grant. */
  readonly tokens = new Map<string, TokenGrant>();
  /** Token name → value, as the handle reports them. */
  readonly tokenValues: Record<string, string> = {};
  readonly accessTokens = new Map<string, AccessGrant>();
  /** Assertion `jti`s already used (replay protection). */
  readonly usedJtis = new Set<string>();
  /** The nonce the token endpoint asks DPoP proofs to carry (`use_dpop_nonce`). */
  dpopNonce = randomUUID();
  /**
   * Logins (lower case) that user searches don't find yet: Okta's search index trails a write
   * (its spec says so), while a GET of the user by id or login finds it at once.
   */
  readonly searchLag = new Set<string>();
  private counter = 0;
  /** Mapping and API token ids have counters of their own, so adding them left every other id as it was. */
  private mappingCounter = 0;
  private tokenCounter = 0;
  private readonly tag: string;
  /** The id of the default user type (one per org). */
  readonly userTypeId: string;

  constructor(
    readonly name: string,
    index: number,
  ) {
    this.tag = orgTag(index);
    this.userTypeId = 'oty' + this.tag + '0'.repeat(15);
  }

  newId(prefix: '00u' | '00g' | '0oa' | 'gpm' | 'irb' | 'cnt' | 'oag' | 'ira' | 'kid' | 'prm' | '00T'): string {
    if (prefix === 'prm') return prefix + this.tag + (++this.mappingCounter).toString(36).padStart(15, '0');
    if (prefix === '00T') return prefix + this.tag + (++this.tokenCounter).toString(36).padStart(15, '0');
    return prefix + this.tag + (++this.counter).toString(36).padStart(15, '0');
  }

  addUser(login: string, profile: Record<string, unknown>, status: string, roles: AdminRole[] = []): SimUser {
    const now = nowIso();
    const local = login.split('@')[0] ?? login;
    const user: SimUser = {
      id: this.newId('00u'),
      seq: 0,
      status,
      created: now,
      activated: status === 'ACTIVE' ? now : null,
      statusChanged: now,
      lastUpdated: now,
      passwordChanged: status === 'ACTIVE' ? now : null,
      profile: {
        firstName: capitalize(local.split('.')[0] ?? local),
        lastName: capitalize(local.split('.')[1] ?? 'User'),
        email: login,
        ...profile,
        login,
      },
      roles,
      groupIds: new Set(),
    };
    this.users.add(user);
    this.usersByLogin.set(login.toLowerCase(), user);
    logEvent(this, { eventType: 'user.lifecycle.create', displayMessage: 'Create Okta user', targets: [userTarget(user)] });
    if (status === 'ACTIVE') {
      logEvent(this, { eventType: 'user.lifecycle.activate', displayMessage: 'Activate Okta user', targets: [userTarget(user)] });
    }
    return user;
  }

  /** A lifecycle transition, logged as `eventType` (user.lifecycle.*). */
  setUserStatus(user: SimUser, status: string, eventType: string, displayMessage: string): void {
    const now = nowIso();
    if (user.status !== status) {
      user.status = status;
      user.statusChanged = now;
      if (status === 'ACTIVE') user.activated = now;
    }
    user.lastUpdated = now;
    logEvent(this, { eventType, displayMessage, targets: [userTarget(user)] });
  }

  /** Profile attributes set (login included: the login index follows); one user.account.update_profile. */
  updateUserProfile(user: SimUser, changes: Record<string, unknown>): void {
    const { login, ...rest } = changes;
    if (typeof login === 'string' && login !== user.profile.login) {
      this.usersByLogin.delete(user.profile.login.toLowerCase());
      user.profile.login = login;
      this.usersByLogin.set(login.toLowerCase(), user);
    }
    Object.assign(user.profile, rest);
    user.lastUpdated = nowIso();
    logEvent(this, {
      eventType: 'user.account.update_profile',
      displayMessage: 'Update user profile for Okta',
      targets: [userTarget(user)],
    });
  }

  /** A user deleted for good: out of its groups, the login index and the directory. */
  deleteUser(user: SimUser): void {
    logEvent(this, { eventType: 'user.lifecycle.delete.initiated', displayMessage: 'Delete Okta user', targets: [userTarget(user)] });
    for (const gid of [...user.groupIds]) {
      const group = this.groups.get(gid);
      if (group) {
        group.members.delete(user.id);
        group.lastMembershipUpdated = nowIso();
      }
    }
    user.groupIds.clear();
    this.usersByLogin.delete(user.profile.login.toLowerCase());
    this.users.delete(user.id);
  }

  /** By id, or by login as Okta's `GET /api/v1/users/{idOrLogin}` allows. */
  findUser(idOrLogin: string): SimUser | undefined {
    return this.users.get(idOrLogin) ?? this.usersByLogin.get(idOrLogin.toLowerCase());
  }

  addGroup(name: string, description: string | null = null, type: SimGroup['type'] = 'OKTA_GROUP'): SimGroup {
    const now = nowIso();
    const group: SimGroup = {
      id: this.newId('00g'),
      seq: 0,
      type,
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
      profile: { name, description },
      members: new Set(),
    };
    this.groups.add(group);
    logEvent(this, { eventType: 'group.lifecycle.create', displayMessage: 'Create Okta group', targets: [groupTarget(group)] });
    return group;
  }

  /** Name and description set (group.profile.update). */
  updateGroupProfile(group: SimGroup, profile: { name: string; description: string | null }): void {
    group.profile = { ...group.profile, ...profile };
    group.lastUpdated = nowIso();
    logEvent(this, { eventType: 'group.profile.update', displayMessage: "Update group's profile", targets: [groupTarget(group)] });
  }

  /** A group deleted (its members must have been removed first). */
  deleteGroup(group: SimGroup): void {
    logEvent(this, { eventType: 'group.lifecycle.delete', displayMessage: 'Delete Okta group', targets: [groupTarget(group)] });
    this.groups.delete(group.id);
  }

  /** An org's own group by name: an OKTA_GROUP before an APP_GROUP of the same name. */
  findGroupByName(name: string): SimGroup | undefined {
    const wanted = name.toLowerCase();
    const named = this.groups.values().filter((g) => g.profile.name.toLowerCase() === wanted);
    return named.find((g) => g.type !== 'APP_GROUP') ?? named[0];
  }

  /** The APP_GROUP that stands here, for one app, for a group of the org it provisions to. */
  findMirror(appId: string, hubGroupId: string): SimGroup | undefined {
    return this.groups.values().find((g) => g.mirrorOf?.appId === appId && g.mirrorOf.hubGroupId === hubGroupId);
  }

  addMember(group: SimGroup, user: SimUser): boolean {
    if (group.members.has(user.id)) return false;
    group.members.add(user.id);
    user.groupIds.add(group.id);
    group.lastMembershipUpdated = nowIso();
    logEvent(this, {
      eventType: 'group.user_membership.add',
      displayMessage: 'Add user to group membership',
      targets: [userTarget(user), groupTarget(group)],
    });
    return true;
  }

  removeMember(group: SimGroup, user: SimUser): boolean {
    if (!group.members.delete(user.id)) return false;
    user.groupIds.delete(group.id);
    group.lastMembershipUpdated = nowIso();
    logEvent(this, {
      eventType: 'group.user_membership.remove',
      displayMessage: 'Remove user from group membership',
      targets: [userTarget(user), groupTarget(group)],
    });
    return true;
  }

  addApp(fields: {
    id?: string;
    name: string;
    label: string;
    signOnMode?: string;
    status?: 'ACTIVE' | 'INACTIVE';
    settings?: Record<string, unknown>;
  }): SimApp {
    const now = nowIso();
    const key = this.newKey();
    const app: SimApp = {
      id: fields.id ?? this.newId('0oa'),
      seq: 0,
      name: fields.name,
      label: fields.label,
      status: fields.status ?? 'ACTIVE',
      signOnMode: fields.signOnMode ?? 'SAML_2_0',
      created: now,
      lastUpdated: now,
      settings: fields.settings ?? { app: {} },
      connection: { status: 'DISABLED', authScheme: 'UNKNOWN', token: null, clientId: null, rotationMode: null },
      provisioning: {
        create: false,
        profile: false,
        deactivate: false,
        password: { enabled: false, seed: 'RANDOM', change: 'KEEP_EXISTING' },
        inbound: {},
        profileSourcing: false,
      },
      users: new Collection<SimAppUser>(),
      groups: new Collection<SimAppGroup>(),
      pushMappings: new Collection<SimPushMapping>(),
      keys: [key],
      signingKid: key.kid,
      grants: new Collection<SimGrant>(),
      roles: new Collection<SimRoleAssignment>(),
      userSchemaCustom: {},
    };
    this.apps.add(app);
    if (isOrg2Org(app)) addAppMappings(this, app);
    return app;
  }

  /** A new signing key entry (material made on first use), valid for `validityYears`. */
  newKey(validityYears = 10): SimAppKey {
    const now = new Date(simNow());
    const expires = new Date(now);
    expires.setUTCFullYear(expires.getUTCFullYear() + validityYears);
    return { kid: this.newId('kid'), created: now.toISOString(), lastUpdated: now.toISOString(), expiresAt: expires.toISOString() };
  }

  /** OAuth 2.0 client apps (service apps), by client id (the app id unless the client was created with a chosen one). */
  oauthClient(clientId: string): (SimApp & { oauth: SimOAuthClient }) | undefined {
    const app = this.apps.get(clientId);
    if (app?.oauth?.clientId === clientId) return app as SimApp & { oauth: SimOAuthClient };
    return this.apps.values().find((a): a is SimApp & { oauth: SimOAuthClient } => a.oauth?.clientId === clientId);
  }

  /** An IdP key credential holding this certificate chain. */
  addIdpKey(x5c: string[]): SimIdpKey {
    const key: SimIdpKey = { kid: randomUUID(), x5c: [...x5c], created: nowIso() };
    this.idpKeys.set(key.kid, key);
    return key;
  }

  /** A SAML IdP trusting `x5c` (e.g. a Spoke Org2Org app's signing certificate: SSO from that Spoke). */
  addSamlIdp(name: string, issuer: string, x5c: string[]): SimIdp {
    const now = nowIso();
    return this.idps.add({
      id: this.newId('0oa'),
      seq: 0,
      name,
      status: 'ACTIVE',
      issuer,
      ssoUrl: `${issuer}/app/okta_org2org/sso/saml`,
      trustKid: this.addIdpKey(x5c).kid,
      created: now,
      lastUpdated: now,
    });
  }

  addToken(name: string, value: string, userId: string, window: { tokenWindow?: string; idleMs?: number } = {}): void {
    const tokenWindow = window.tokenWindow ?? 'P30D';
    const now = simNow();
    const idle = window.idleMs ?? 0;
    this.tokens.set(value, {
      name,
      userId,
      id: this.newId('00T'),
      created: secondsIso(now - idle),
      lastUsedMs: now - idle,
      tokenWindow,
      windowMs: durationMs(tokenWindow),
    });
    this.tokenValues[name] = value;
  }

  /**
   * The grant of an API token Okta still honours: its window not run out since its last use, its
   * owner ACTIVE (a token dies with its admin). `use` renews the window, as every API call does.
   */
  liveToken(value: string, use = false): TokenGrant | undefined {
    const grant = this.tokens.get(value);
    if (!grant || this.users.get(grant.userId)?.status !== 'ACTIVE') return undefined;
    const now = simNow();
    if (now >= grant.lastUsedMs + grant.windowMs) return undefined;
    if (use) grant.lastUsedMs = now;
    return grant;
  }
}

export function nowIso(): string {
  return new Date(simNow()).toISOString();
}

/** A time as Okta writes token times: whole seconds (`2025-12-02T14:47:13.000Z`, recorded). */
export function secondsIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** Milliseconds of an ISO 8601 duration of days and time (`P30D`, `PT5M`, `P1DT12H`); throws on anything else. */
export function durationMs(duration: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T'))
    throw new Error(`not an ISO 8601 duration of days/hours/minutes/seconds: ${duration}`);
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + min) * 60 + sec) * 1000;
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** The key pair of an app key, made now if it wasn't yet. */
export function keyPair(key: SimAppKey): NonNullable<SimAppKey['pair']> {
  if (!key.pair) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = selfSignedCertificate(publicKey, privateKey, key.kid, new Date(key.created), new Date(key.expiresAt));
    key.pair = {
      publicJwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: key.kid, use: 'sig', alg: 'RS256' },
      privateKey,
      certificate: certificateMembers(der),
    };
  }
  return key.pair;
}

export function signingKey(app: SimApp): SimAppKey | undefined {
  return app.keys.find((k) => k.kid === app.signingKid);
}

export function isOrg2Org(app: SimApp): boolean {
  return app.name === 'okta_org2org';
}
