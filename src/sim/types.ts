/**
 * Public types of the Okta simulator: the seed (what the orgs hold at start), the options
 * (latency, time scale, limits, faults) and the handle tests get back from `startSim`.
 */
import type { SimOrg } from './org-state.js';

/** Rate-limit buckets, as Okta's Workforce per-minute limits group the endpoints. */
export type BucketId = 'apps' | 'app' | 'groups' | 'group' | 'users' | 'user' | 'oauth' | 'default';

export const DEFAULT_RATE_LIMITS: Record<BucketId, number> = {
  apps: 100, // every /api/v1/apps/* call except the app itself
  app: 500, // /api/v1/apps/{appId}
  groups: 500, // /api/v1/groups
  group: 1000, // /api/v1/groups/{groupId}/**
  users: 600, // GET|POST /api/v1/users
  user: 600, // /api/v1/users/{userId}/**
  oauth: 600, // /oauth2/v1/token
  default: 1200,
};

export type InitialStatus = 'active_with_pass' | 'active_without_pass' | 'pending_with_pass' | 'pending_without_pass';
export const INITIAL_STATUSES: readonly InitialStatus[] = [
  'active_with_pass',
  'active_without_pass',
  'pending_with_pass',
  'pending_without_pass',
];

export type AdminRole = 'SUPER_ADMIN' | 'ORG_ADMIN' | 'APP_ADMIN' | 'USER_ADMIN' | 'GROUP_MEMBERSHIP_ADMIN' | 'READ_ONLY_ADMIN';

export interface SeedUser {
  login: string;
  /** Okta user status; ACTIVE when omitted. */
  status?: 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';
  firstName?: string;
  lastName?: string;
  email?: string;
  /** Extra profile attributes. */
  profile?: Record<string, unknown>;
  roles?: AdminRole[];
}

export interface SeedGroup {
  name: string;
  description?: string;
  /** Member logins. */
  members?: string[];
}

export interface SeedToken {
  /** The token value; generated (obviously fake) when omitted. */
  value?: string;
  /** Login of the admin who owns the token; created when not among the org's users. */
  user: string;
  /** Admin roles of that user. */
  roles?: AdminRole[];
  /** The token's window, an ISO 8601 duration (Okta's default `P30D`); each use renews it. */
  tokenWindow?: string;
  /** Days since the token was made or last used (default 0); a token idle for its whole window is dead. */
  idleDays?: number;
}

export interface SeedServiceApp {
  clientId: string;
  /**
   * The app's id when the client was created with a chosen `client_id` (the Apps API allows one;
   * recorded: client `testclientid123456` on app `0oa…`). Default: the client id, as Okta names a
   * client it creates itself.
   */
  appId?: string;
  /** `client_name` (and the app's label); default: the client id. */
  name?: string;
  /** Requires DPoP-bound access tokens (RFC 9449): a token request without a valid proof is refused (`invalid_dpop_proof`). */
  dpopBound?: boolean;
  /** Public JWK (RSA or EC P-256) that verifies the client's `private_key_jwt` assertions. */
  publicJwk: Record<string, unknown>;
  /** Scopes granted to the app. */
  scopes: string[];
  /** Admin roles of the app; SUPER_ADMIN when omitted (a service app needs a role as well as scopes). */
  roles?: AdminRole[];
}

export interface SeedAppUser {
  login: string;
  /** Defaults to `active_without_pass` on Org2Org apps. */
  initialStatus?: InitialStatus;
  securityQuestion?: string;
  securityAnswer?: string;
  /** App-user status; otherwise derived from the provisioning settings (PROVISIONED when pushed). */
  status?: string;
  profile?: Record<string, unknown>;
}

export interface SeedPushMapping {
  /** Name of the source group in this org. */
  source: string;
  /** Name of the Hub group (created when missing once ACTIVE). */
  target: string;
  status?: 'ACTIVE' | 'INACTIVE';
}

export interface SeedApp {
  label: string;
  /** `okta_org2org` when omitted. */
  name?: string;
  status?: 'ACTIVE' | 'INACTIVE';
  /** Org whose URL becomes `settings.app.baseUrl` (Org2Org: the Hub). */
  hub?: string;
  /** A literal `settings.app.baseUrl` instead (e.g. a real Hub's `-admin` domain, which no simulated org answers). */
  baseUrl?: string;
  /** Profile Sourcing on (PROFILE_MASTERING in the app's features). */
  profileSourcing?: boolean;
  connection?: {
    status?: 'ENABLED' | 'DISABLED';
    authScheme?: 'TOKEN' | 'OAUTH2';
    /** `org/TOKEN_NAME` of a token in another org (the Hub), or a literal value. */
    token?: string;
    clientId?: string;
  };
  provisioning?: { createUsers?: boolean; updateUserAttributes?: boolean; deactivateUsers?: boolean; syncPassword?: boolean };
  users?: SeedAppUser[];
  /** Names of groups assigned to the app. */
  groups?: string[];
  pushMappings?: SeedPushMapping[];
  /**
   * Custom attributes of the app-user schema (Profile Editor → the app), each optionally mapped
   * from the Spoke's users by the "Okta User → app" mapping (`expression`, `pushStatus`).
   */
  attributes?: SeedAppAttribute[];
  /**
   * The Hub's groups were imported into this org through the app (the console's Import), so a
   * push may link to an existing Hub group by name. Without it, linking fails as in Okta.
   */
  importHubGroups?: boolean;
}

export interface SeedAppAttribute {
  name: string;
  /** JSON Schema type; `string` when omitted. */
  type?: 'string' | 'boolean' | 'number' | 'integer';
  /** Okta EL over the Spoke user (`user.department`); no mapping property when omitted. */
  expression?: string;
  pushStatus?: 'PUSH' | 'DONT_PUSH';
}

export interface SeedOrg {
  /**
   * Other URLs that name this org when an app's base URL points at it (say the real Hub domain
   * and its `-admin` Admin Console domain); only the loopback URL is served.
   */
  aliases?: string[];
  users?: SeedUser[];
  groups?: SeedGroup[];
  tokens?: Record<string, SeedToken>;
  serviceApps?: SeedServiceApp[];
  apps?: SeedApp[];
  /** Custom attributes of the org's user schema (name → JSON Schema type). */
  userSchema?: Record<string, 'string' | 'boolean' | 'number' | 'integer'>;
}

export interface SimSeed {
  orgs: Record<string, SeedOrg>;
  /**
   * Environment for configs pointing at the sim; values may use `${orgs.NAME.url}` and
   * `${orgs.NAME.tokens.TOKEN}`, filled in at start.
   */
  env?: Record<string, string>;
}

/**
 * `barrier`: matching requests are held, before the org handles them, until `count` of them have
 * arrived (or `delayMs`, 10 s by default, passed); then all go on together. Forces an interleaving
 * (two applies' creates both made before either lists) without betting on timing.
 */
export type FaultKind = 'error' | 'reset' | 'slow' | 'barrier';

export interface FaultRule {
  kind: FaultKind;
  /** HTTP status for `error` (500 by default). */
  status?: number;
  /** Extra delay for `slow`; the longest hold of a `barrier`. */
  delayMs?: number;
  /** Requests a `barrier` waits for (2 when omitted). */
  count?: number;
  /** Chance per matching request, 0..1 (1 when omitted). */
  probability?: number;
  /** Method to match (any when omitted). */
  method?: string;
  /** Path glob (`*` = any characters) or route template such as `/api/v1/apps/{appId}/users`. */
  path?: string;
  /** Apply to at most this many requests. */
  times?: number;
  /** Limit the rule to one org. */
  org?: string;
}

export interface SimOptions {
  latencyMs?: number;
  jitterMs?: number;
  /** 60 = a 60 s rate-limit window lasts 1 s. */
  timeScale?: number;
  /** Per-minute limits. */
  rateLimits?: Partial<Record<BucketId, number>>;
  /** Requests in flight per org before 429 (75 by default). */
  concurrencyLimit?: number;
  faults?: FaultRule[];
  rngSeed?: number;
  /** When set, pushed app users stay STAGED/SYNCING for this long before PROVISIONED. */
  provisioningDelayMs?: number;
  /**
   * How long after its `published` time an event becomes visible to `GET /api/v1/logs` (default 0):
   * Okta's System Log is near-real-time, not instant.
   */
  logLagMs?: number;
  /**
   * Pushes to the Hub wait (app users STAGED/SYNCING, nothing in the Hub yet) until
   * `sim.releaseProvisioning()`: provisioning in flight, at the moment a test chooses.
   */
  holdProvisioning?: boolean;
}

export interface SimStats {
  total: number;
  byRoute: Record<string, number>;
  status429: number;
  peakInFlight: number;
}

export interface Sim {
  orgs: Record<string, { url: string; tokens: Record<string, string> }>;
  env: Record<string, string>;
  org(name: string): SimOrg;
  /**
   * The console's "import the Hub's groups" for one Spoke's app (by label): what Okta needs
   * before a push can link to an existing Hub group. Returns how many groups were imported.
   */
  importHubGroups(spoke: string, appLabel: string): number;
  stats(name: string): SimStats;
  resetStats(): void;
  /** The simulator's clock (epoch ms): real time plus every `advance` so far (src/sim/clock.ts; one per process). */
  now(): number;
  /** Moves the clock forward: log lag passes, delayed provisioning that came due ends, tokens age. */
  advance(ms: number): void;
  /** Hold (or stop holding) pushes from now on; what is held stays until released. */
  holdProvisioning(hold: boolean): void;
  /** Ends every held push now, in the order they were asked for; returns how many. */
  releaseProvisioning(): number;
  /** The log lag from now on, for one org or all (events already logged keep theirs). */
  setLogLag(ms: number, org?: string): void;
  close(): Promise<void>;
}
