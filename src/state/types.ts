/**
 * LiveState: what the orgs hold now, normalized (timestamps and links dropped, secrets absent,
 * never present in Okta's answers anyway). Okta's JSON shapes stop in src/state: everything
 * downstream reads these types. Every object that a change may touch carries a `fingerprint`
 * (a short hash of its normalized content) so that a saved plan can tell it went stale.
 * Plain data only (arrays and records), so it serializes as JSON for golden tests.
 */
import type { RateLimitSnapshot } from '../okta/types.js';

export interface LiveApp {
  id: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE' | string;
  signOnMode: string;
  baseUrl: string;
  /** The app object's read-only `features` array (PUSH_NEW_USERS, PROFILE_MASTERING, …). */
  features: string[];
  fingerprint: string;
}

export interface LiveConnection {
  authScheme: 'TOKEN' | 'OAUTH2' | 'UNKNOWN' | string;
  status: 'ENABLED' | 'DISABLED' | 'UNKNOWN' | string;
  rotationMode?: 'AUTO' | 'MANUAL' | string;
  /** An OAUTH2 connection's client id, when Okta returns it (in `profile.clientId`). */
  clientId?: string;
  fingerprint: string;
}

export interface LiveToApp {
  createUsers: boolean;
  updateUserAttributes: boolean;
  deactivateUsers: boolean;
  syncPassword: false | { seed: string; change: string };
  fingerprint: string;
}

export interface LiveToOkta {
  /** Normalized INBOUND_PROVISIONING capabilities, in the config's vocabulary (see config ToOktaImport). */
  import: {
    schedule?: {
      status: string;
      fullImport?: { expression: string; timezone?: string };
      incrementalImport?: { expression: string; timezone?: string };
    };
    username?: { userNameFormat: string; userNameExpression?: string };
    match?: Record<string, string | boolean>;
  };
  fingerprint: string;
}

export interface LiveFeatures {
  /** False when Okta answers 400 "Provisioning is not enabled for the app instance". */
  provisioningEnabled: boolean;
  toApp?: LiveToApp;
  toOkta?: LiveToOkta;
  /** From the app's read-only `features` array: PROFILE_MASTERING present. */
  profileSourcing: boolean;
}

/** What the app-user schema says about the attributes org2org writes. */
export interface LiveAppUserSchema {
  /** Attribute names found (or undefined when the schema has no such attribute). */
  initialStatus?: string;
  securityQuestion?: string;
  securityAnswer?: string;
  /** Allowed values of initialStatus as the schema lists them. */
  initialStatusValues: string[];
  /** Every attribute name in the schema, base and custom (to reject unknown profile keys in the plan). */
  attributes: string[];
  /**
   * The custom attributes (what admins add; Org2Org carries them to the Hub user), each with its
   * type. Absent in states recorded before attributes were read (none then).
   */
  custom?: Record<string, { type: string; fingerprint: string }>;
}

/** A user schema (the Spoke's or the Hub's): every attribute's type, and Okta's base attributes among them. */
export interface LiveUserSchema {
  types: Record<string, string>;
  base: string[];
}

/** An app's "Okta User → app" profile mapping: its properties, keyed by the app attribute they fill. */
export interface LiveAttributeMapping {
  id: string;
  /** The Spoke's default user type (the mapping's source). */
  sourceId: string;
  properties: Record<string, { expression: string; pushStatus: 'PUSH' | 'DONT_PUSH' | string; fingerprint: string }>;
}

export interface LiveAppUser {
  userId: string;
  login: string;
  /** login.toLowerCase() */
  loginKey: string;
  /** USER: assigned directly; GROUP: through a group assignment. */
  scope: 'USER' | 'GROUP' | string;
  status: string;
  syncState?: string;
  externalId?: string;
  /** Okta's message when syncState is ERROR. */
  errorSummary?: string;
  initialStatus?: string;
  securityQuestion?: string;
  /** Write-only in Okta: whether an answer is set is all that can be known (always unknown: false). */
  profile: Record<string, unknown>;
  fingerprint: string;
}

/**
 * The Spoke itself confirms that this app user's push reached the Hub: Okta set `externalId`
 * (the Hub user's id) and reports PROVISIONED and SYNCHRONIZED. Such users are not searched for
 * in the Hub at plan time (that would cost a Hub search per 50 users on every plan); everything
 * else listed is, and `apply --wait` checks every user it touched in the Hub itself.
 */
export function pushConfirmedBySpoke(appUser: Pick<LiveAppUser, 'status' | 'syncState' | 'externalId'>): boolean {
  return appUser.status === 'PROVISIONED' && appUser.syncState === 'SYNCHRONIZED' && appUser.externalId !== undefined;
}

// The Hub-URL comparison lives with the shared vocabulary (the okta layer needs it too).
export { oktaOrgOrigin, sameOktaOrg } from '../org-url.js';

export interface LiveAppGroup {
  groupId: string;
  name: string;
  priority?: number;
  profile: Record<string, unknown>;
  fingerprint: string;
}

export interface LivePushMapping {
  id: string;
  sourceGroupId: string;
  /** Resolved from the Spoke's groups; undefined when the source group no longer exists. */
  sourceGroupName?: string;
  /** A group of the Spoke (the APP_GROUP that stands for the Hub group), never a Hub group id. */
  targetGroupId?: string;
  /** The name of that Spoke group, which is the Hub group's name; undefined when it can't be read. */
  targetGroupName?: string;
  status: 'ACTIVE' | 'INACTIVE' | 'ERROR' | string;
  errorSummary?: string;
  lastPush?: string;
  /** When the mapping was made (export tells a linked Hub group by it); not fingerprinted. */
  created?: string;
  fingerprint: string;
}

export interface DirectoryUser {
  id: string;
  login: string;
  status: string;
}

export interface DirectoryGroup {
  id: string;
  name: string;
  /** When Okta made the group (a Hub group older than its push mapping was linked, see predates). */
  created?: string;
  /** Member login keys, when they were read (pushed groups only). */
  memberLoginKeys?: string[];
  /** Of those, the members Okta's Group Push skips as inactive (DEPROVISIONED or SUSPENDED), when members were read. */
  inactiveMemberLoginKeys?: string[];
}

export interface LiveSpoke {
  name: string;
  /** null: no okta_org2org app with that label. Everything below is then empty. */
  app: LiveApp | null;
  /**
   * Why the app can't be told (several with the label, or none while another Org2Org app points
   * at the Hub): the plan for this Spoke is that error and nothing else.
   */
  appProblem?: string;
  connection: LiveConnection | null;
  features: LiveFeatures | null;
  appUserSchema: LiveAppUserSchema | null;
  appUsers: LiveAppUser[];
  appGroups: LiveAppGroup[];
  pushMappings: LivePushMapping[];
  /** Spoke users the config names, keyed by login key; absent key = no such user in the Spoke. */
  users: Record<string, DirectoryUser>;
  /** Spoke groups the config names (assigned or pushed), keyed by name. */
  groups: Record<string, DirectoryGroup>;
  /** For a config group name the Spoke doesn't have: the closest group name it does have. */
  groupSuggestions?: Record<string, string>;
  /** Rate-limit facts seen while reading, for the plan's time estimate. */
  rateLimits: RateLimitSnapshot[];
  /**
   * The Hub's service app org2org manages for this Spoke (OAuth 2.0 connection, `hubServiceApp:
   * managed`), or a leftover one it managed before: null when looked for and absent; undefined
   * when not looked for (not managed, or the Hub has no credentials).
   */
  serviceApp?: LiveServiceApp | null;
  /**
   * Why the app's push mappings could not be read (Okta answers 400 "Provisioning is not enabled"
   * while the connection is DISABLED); absent when they were read. `pushMappings` is then empty
   * because it is unknown, not because there are none.
   */
  pushMappingsUnread?: string;
  /** The Spoke's user schema, read when the config carries attributes (source expressions are checked against it). */
  userSchema?: LiveUserSchema;
  /** The app's "Okta User → app" mapping, read when the config carries attributes; null: Okta has none for the app. */
  attributeMapping?: LiveAttributeMapping | null;
}

/** The Hub's service app (OAuth 2.0 client) of one Spoke, normalized for the planner. */
export interface LiveServiceApp {
  clientId: string;
  /** Its id in the Apps API (status, lifecycle, grants): the client id unless the client was created with a chosen one. */
  appId: string;
  name: string;
  status: string;
  tokenEndpointAuthMethod: string;
  grantTypes: string[];
  applicationType: string;
  responseTypes: string[];
  /** MANUAL: kids of the keys it holds; AUTO: its jwks_uri. */
  keyIds: string[];
  /** Kids of keys it holds beside the Spoke app's key in use (MANUAL): trust nobody asked for. */
  extraKeyIds: string[];
  /** How it was told apart: by the client the Spoke's connection uses, or (no such client) by the managed name. */
  identifiedBy: 'connection' | 'name';
  /** The client the Spoke's connection uses instead of this one (re-pointed), with its name. */
  repointedTo?: { clientId: string; name: string };
  jwksUri: string | null;
  /** Trusts the Spoke app's key in use the way the config's rotation mode says (see state/service-app-rules.ts). */
  trustsSpoke: boolean;
  /** The Spoke app's key in use, when read (what MANUAL trust must hold). */
  spokeKid?: string;
  grants: { id: string; scopeId: string }[];
  roles: { id: string; type: string }[];
  fingerprint: string;
}

/** A Spoke with nothing read yet (or no Org2Org app): the start of every LiveSpoke. */
export function emptyLiveSpoke(name: string): LiveSpoke {
  return {
    name,
    app: null,
    connection: null,
    features: null,
    appUserSchema: null,
    appUsers: [],
    appGroups: [],
    pushMappings: [],
    users: {},
    groups: {},
    rateLimits: [],
  };
}

/**
 * The natural key of a live push mapping, in its plan address and its fingerprint entry alike:
 * its source group's name, or its id when the source group is gone.
 */
export function pushMappingKey(mapping: LivePushMapping): string {
  return mapping.sourceGroupName ?? mapping.id;
}

/**
 * A Spoke's live objects of one collection by their natural key, the key of their plan address:
 * built once per LiveSpoke and list (a Spoke may have 100,000 app users; the stale check looks
 * one up per change). The LiveSpoke is not changed after it is read.
 */
function byKey<T>(memo: WeakMap<object, ReadonlyMap<string, T>>, list: T[], keyOf: (object: T) => string): ReadonlyMap<string, T> {
  let map = memo.get(list);
  if (!map) {
    map = new Map(list.map((object) => [keyOf(object), object]));
    memo.set(list, map);
  }
  return map;
}

const usersByKey = new WeakMap<object, ReadonlyMap<string, LiveAppUser>>();
const groupsByKey = new WeakMap<object, ReadonlyMap<string, LiveAppGroup>>();
const mappingsByKey = new WeakMap<object, ReadonlyMap<string, LivePushMapping>>();

/** App users by login key. */
export function appUsersByKey(spoke: LiveSpoke): ReadonlyMap<string, LiveAppUser> {
  return byKey(usersByKey, spoke.appUsers, (u) => u.loginKey);
}

/** Assigned groups by name. */
export function appGroupsByKey(spoke: LiveSpoke): ReadonlyMap<string, LiveAppGroup> {
  return byKey(groupsByKey, spoke.appGroups, (g) => g.name);
}

const NONE: ReadonlyMap<string, { fingerprint: string }> = new Map();

/** The app-user schema's custom attributes by name. */
export function appAttributesByKey(spoke: LiveSpoke): ReadonlyMap<string, { fingerprint: string }> {
  const custom = spoke.appUserSchema?.custom;
  return custom ? new Map(Object.entries(custom)) : NONE;
}

/** The "Okta User → app" mapping's properties by the attribute they fill. */
export function attributeMappingsByKey(spoke: LiveSpoke): ReadonlyMap<string, { fingerprint: string }> {
  const properties = spoke.attributeMapping?.properties;
  return properties ? new Map(Object.entries(properties)) : NONE;
}

/** Push mappings by pushMappingKey. */
export function pushMappingsByKey(spoke: LiveSpoke): ReadonlyMap<string, LivePushMapping> {
  return byKey(mappingsByKey, spoke.pushMappings, pushMappingKey);
}

export interface LiveHub {
  /**
   * Hub users for the listed logins whose push the Spoke does not confirm (see
   * pushConfirmedBySpoke), keyed by login key; a searched login that is absent is not in the Hub.
   */
  users: Record<string, DirectoryUser>;
  /** Hub groups for the pushed target names, keyed by name; memberLoginKeys filled. */
  groups: Record<string, DirectoryGroup>;
  /** The Hub's user schema, read when some Spoke carries attributes. */
  userSchema?: LiveUserSchema;
}

export interface LiveState {
  spokes: Record<string, LiveSpoke>;
  /** Undefined when the Hub has no credentials in the config. */
  hub?: LiveHub;
  /**
   * Problems met while reading that don't stop the plan (e.g. a provisioning token that can't be
   * tested): they become the plan's diagnostics, with their severity. (A plan's `SpokePlan.notes`
   * are something else: facts about what is not changed.)
   */
  readProblems: { spoke?: string; severity: 'warning' | 'error'; message: string }[];
  /**
   * Spokes that could not be read (network, credentials), with why. They are errors in the plan;
   * the other Spokes are read and planned as usual.
   */
  unreadable?: Record<string, string>;
  /**
   * Why the Hub could not be read, when the config gives it credentials and reading it failed
   * (down, a typo'd URL, a revoked token). Changes that depend on which Hub it is are then errors.
   */
  hubUnreadable?: string;
}

/** Progress of reading the live orgs, for the UI. */
export type ReadEvent =
  | { type: 'read-start'; org: string; collection: string }
  | { type: 'read-progress'; org: string; collection: string; count: number }
  | { type: 'read-done'; org: string; collection: string; count: number; ms: number };

/**
 * A Hub group made by its mapping's first push is stamped within moments of the mapping (before
 * or after it, depending on whose clock and which request came first); only a group that is
 * clearly older was there before, i.e. was linked.
 */
export const LINK_MARGIN_MS = 5_000;

/** Whether a Hub group was there before its push mapping; undefined when a time is missing. */
export function predates(hubGroupCreated: unknown, mappingCreated: unknown): boolean | undefined {
  if (typeof hubGroupCreated !== 'string' || typeof mappingCreated !== 'string') return undefined;
  const g = Date.parse(hubGroupCreated);
  const m = Date.parse(mappingCreated);
  if (Number.isNaN(g) || Number.isNaN(m)) return undefined;
  return g < m - LINK_MARGIN_MS;
}
