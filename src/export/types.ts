/**
 * What `export` observed in one Spoke (and the Hub), in the config's vocabulary. observeSpoke
 * (./observe-spoke.ts) makes it from the planner's LiveSpoke plus a few facts LiveState drops on
 * purpose (the `created` timestamps that tell whether a pushed Hub group predates its mapping, an
 * OAuth connection's clientId); the pure document builder (./build-document.ts) turns it into a
 * config file.
 */
import type { ToOktaImport, InitialStatus, ToAppFeatures } from '../config/types.js';

export interface ObservedUserAssignment {
  login: string;
  initialStatus?: InitialStatus;
  securityQuestion?: string;
  /** Other app-user profile attributes (the attributes org2org maps are taken out). */
  profile: Record<string, unknown>;
}

export interface ObservedGroupAssignment {
  name: string;
  priority?: number;
  profile: Record<string, unknown>;
}

export interface ObservedPushMapping {
  /** Spoke (source) group name. */
  name: string;
  /** Hub group name; undefined when the Hub could not be read. */
  targetName?: string;
  status: 'ACTIVE' | 'INACTIVE';
  /** true: the Hub group was created before the mapping; false: after (or with) it; undefined: unknown. */
  link?: boolean;
}

export interface ObservedConnection {
  authScheme: 'TOKEN' | 'OAUTH2';
  enabled: boolean;
  clientId?: string;
  rotationMode?: 'AUTO' | 'MANUAL';
  /**
   * OAUTH2 whose Hub service app looks org2org-managed (named `org2org-<spoke>`): its granted
   * scopes and admin roles, exported as `hubServiceApp: managed` with them.
   */
  managed?: { scopes: string[]; roles: string[] };
}

export interface ObservedSpoke {
  name: string;
  url: string;
  /** Env var holding the Spoke's management token (`OKTA_<NAME>_TOKEN`). */
  tokenVar: string;
  /** signOnMode absent: the app uses a mode the config can't say, so it stays unmanaged. */
  app: { label: string; signOnMode?: 'SAML_2_0' | 'AUTO_LOGIN' };
  /** null: no connection set (authScheme UNKNOWN), so the file leaves it unmanaged. */
  connection: ObservedConnection | null;
  /** undefined: provisioning is not enabled on the app. */
  toApp?: ToAppFeatures;
  profileSourcing: boolean;
  /** The To Okta import settings the config can say (provisioning.toOkta.import). */
  toOktaImport?: ToOktaImport;
  /** USER-scope app users only, sorted by login (case-insensitive). */
  users: ObservedUserAssignment[];
  /** App-user attribute names that were found in the app-user schema. */
  attributeNames: { initialStatus?: string; securityQuestion?: string; securityAnswer?: string };
  /** Count of GROUP-scope app users left out (they come from group assignments). */
  groupScopeUsers: number;
  groups: ObservedGroupAssignment[];
  pushMappings: ObservedPushMapping[];
  /**
   * Attributes carried to the Hub: the properties of the app's "Okta User → app" mapping that fill
   * its custom attributes, with the attribute's type (absent when there are none).
   */
  attributes?: { name: string; source: string; push: 'PUSH' | 'DONT_PUSH'; type: string }[];
  /** Things the reader could not tell, said as comments in the file. */
  notes: string[];
}

export interface ExportInput {
  hubUrl: string;
  /** Env var of the Hub read token, when one was given. */
  hubReadTokenVar?: string;
  /** ISO timestamp in the header: the only line that varies between two exports of the same orgs. */
  generatedAt: string;
  spokes: ObservedSpoke[];
  /** Spokes with no Org2Org app yet: written as a commented stub, not exported. */
  withoutApp?: { name: string; url: string; tokenVar: string }[];
}
