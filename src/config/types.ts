/**
 * DesiredState: what the config file says, validated, with defaults applied.
 * Produced by `loadConfig` (src/config), consumed by src/state (what to read),
 * src/plan (what to compare) and src/apply (credentials to write with).
 */
import type { OrgAuth, Secret } from '../credentials.js';

/** What a newly provisioned Hub user becomes (Okta's `initialStatus` on the Org2Org app user). */
export const INITIAL_STATUSES = ['active_with_pass', 'active_without_pass', 'pending_with_pass', 'pending_without_pass'] as const;
export type InitialStatus = (typeof INITIAL_STATUSES)[number];

/** additive: never removes what the file doesn't list; authoritative: removes it; observe: read and report only. */
export type OwnershipMode = 'additive' | 'authoritative' | 'observe';

/** Where a value came from in the config file, for messages that point at it. */
export interface SourcePos {
  line: number;
  col: number;
}

export interface DesiredHub {
  url: string; // normalized: origin without trailing slash
  /** Where the URL came from, for network errors: the config field and the variables it reads. */
  urlSource?: string;
  /** Optional read access to the Hub; enables Hub-side checks. */
  auth?: OrgAuth;
}

/** The Org2Org app's provisioning connection to the Hub. */
export type DesiredConnection =
  | { authScheme: 'TOKEN'; token: Secret; enabled: boolean }
  | {
      authScheme: 'OAUTH2';
      /** An existing Hub service app; undefined when org2org manages it (`managed`). */
      clientId?: string;
      /** Set when org2org owns the Hub's service app (`hubServiceApp: managed`). */
      managed?: ManagedServiceApp;
      rotationMode: 'AUTO' | 'MANUAL';
      enabled: boolean;
    };

/** The Hub's service app for one Spoke, as org2org keeps it. */
export interface ManagedServiceApp {
  scopes: string[];
  roles: string[];
}

/** The Hub service app org2org manages for a Spoke is found by this name (and `export` recognizes it by it). */
export function managedServiceAppName(spoke: string): string {
  return `org2org-${spoke}`;
}

export const DEFAULT_SERVICE_APP_SCOPES = ['okta.users.manage', 'okta.groups.manage'];
/** Okta's recommendation for an Org2Org service app (guide "Secure API connections between orgs with OAuth 2.0"). */
export const DEFAULT_SERVICE_APP_ROLES = ['USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN'];

export interface SyncPassword {
  seed: 'OKTA' | 'RANDOM';
  change: 'CHANGE' | 'KEEP_EXISTING';
}

/** The console's To App checkboxes. `undefined` in DesiredState means "not managed". */
export interface ToAppFeatures {
  createUsers: boolean;
  updateUserAttributes: boolean;
  deactivateUsers: boolean;
  syncPassword: false | SyncPassword;
}

/** Okta's INBOUND_PROVISIONING settings (To Okta), all optional: only what is given is managed. */
export interface ToOktaImport {
  schedule?: {
    status: 'ENABLED' | 'DISABLED';
    fullImport?: { expression: string; timezone?: string };
    incrementalImport?: { expression: string; timezone?: string };
  };
  username?: { userNameFormat: 'EMAIL' | 'CUSTOM'; userNameExpression?: string };
  match?: {
    exactMatchCriteria: 'EMAIL' | 'USERNAME';
    allowPartialMatch?: boolean;
    autoConfirmExactMatch?: boolean;
    autoConfirmNewUsers?: boolean;
    autoConfirmPartialMatch?: boolean;
    autoActivateNewUsers?: boolean;
  };
}

export interface ToOkta {
  /** Verified only: the API can't switch Profile Sourcing; a mismatch is a manual change. */
  profileSourcing?: boolean;
  import?: ToOktaImport;
}

export interface DesiredUserAssignment {
  /** As written in the config; compare case-insensitively (`loginKey`). */
  login: string;
  /** login.toLowerCase(): the natural key. */
  loginKey: string;
  initialStatus: InitialStatus;
  securityQuestion?: string;
  securityAnswer?: Secret;
  /** Extra app-user profile attributes, compared attribute by attribute. */
  profile: Record<string, unknown>;
  pos?: SourcePos;
}

export interface DesiredGroupAssignment {
  name: string;
  priority?: number;
  profile: Record<string, unknown>;
  pos?: SourcePos;
}

export interface DesiredPushGroup {
  /** Spoke group name (the source). */
  name: string;
  /** Hub group name (defaults to `name`). */
  targetName: string;
  /** Link to an existing Hub group instead of creating a new one. */
  link: boolean;
  status: 'ACTIVE' | 'INACTIVE';
  /** `remove: true`: the entry stays listed to say the mapping must go (with `onRemove` saying how). */
  remove: boolean;
  /** What removing the mapping (`remove: true`) does to the Hub group: keep it (default) or delete it. */
  onRemove: 'keepTarget' | 'deleteTarget';
  pos?: SourcePos;
}

export type AttributeType = 'string' | 'boolean' | 'number' | 'integer';

/**
 * An attribute carried from the Spoke's users to the Hub's: the Org2Org app-user attribute and the
 * Hub user attribute share `name`; the Spoke's "Okta User → app" mapping fills it from `source`.
 */
export interface DesiredAttribute {
  name: string;
  /** Okta Expression Language over the Spoke user. */
  source: string;
  /** The Spoke user attributes `source` reads (checked against the Spoke's user schema when planning). */
  reads: string[];
  /** The one attribute `source` is nothing but (`user.department`), whose type must then be the attribute's. */
  reference?: string;
  push: 'PUSH' | 'DONT_PUSH';
  type: AttributeType;
  title: string;
  /** May org2org create it where missing (the app's user profile, the Hub's user schema)? */
  create: boolean;
  /** `remove: true`: the mapping goes (guarded); the attributes stay. */
  remove: boolean;
  /** From `hub.attributes` (shared by every Spoke) rather than the Spoke's own list. */
  fromHub: boolean;
  pos?: SourcePos;
  /** Where `source` is written (a typo in it is reported there). */
  sourcePos?: SourcePos;
}

/** Names of the app-user profile attributes org2org writes; override when the schema differs. */
export interface AppUserAttributeNames {
  initialStatus: string;
  securityQuestion: string;
  securityAnswer: string;
}

/** What a scheduled drift run does with a difference: fail and show it, propose the file's edit, or apply the file again. */
export type DriftPolicy = 'report' | 'propose' | 'revert';

export interface DesiredSpoke {
  name: string;
  url: string; // normalized origin
  /** Where the URL came from, for network errors: the config field and the variables it reads. */
  urlSource?: string;
  auth: OrgAuth;
  /** `observe`: read and report only, never write. */
  mode: 'managed' | 'observe';
  /** The Spoke's drift policy (absent: `report`); a list's own `drift` overrides it for the list's changes. */
  drift?: DriftPolicy;
  /**
   * signOnMode undefined: not managed (a new app is created with SAML_2_0, Okta's default).
   * `create`: make the app even when another Org2Org app already points at the Hub.
   */
  app: { label: string; signOnMode?: 'SAML_2_0' | 'AUTO_LOGIN'; create?: boolean };
  /** Undefined: connection not managed. */
  connection?: DesiredConnection;
  provisioning: { toApp?: ToAppFeatures; toOkta?: ToOkta };
  assignments: {
    mode: OwnershipMode;
    drift?: DriftPolicy;
    /** `skip`: a listed user absent from the Spoke is a warning and left out (default: an error). */
    missingUsers?: 'error' | 'skip';
    /** Explicit attribute names from the config; undefined → taken from the live app-user schema. */
    attributeNames?: Partial<AppUserAttributeNames>;
    users: DesiredUserAssignment[];
    groups: DesiredGroupAssignment[];
  };
  pushGroups: { mode: OwnershipMode; drift?: DriftPolicy; groups: DesiredPushGroup[] };
  /**
   * Attributes carried to the Hub: the Hub's defaults, then the Spoke's own (one of the same name
   * replaces a default). `mode` is for the mapping's other properties into the app's custom attributes.
   */
  attributes: { mode: OwnershipMode; carry: DesiredAttribute[] };
  pos?: SourcePos;
}

export interface DesiredState {
  /** Path of the config file as given on the command line. */
  file: string;
  /** sha256 (hex) of the config file's bytes; contains no secret since secrets are `${VAR}` references. */
  digest: string;
  hub: DesiredHub;
  spokes: DesiredSpoke[];
}
