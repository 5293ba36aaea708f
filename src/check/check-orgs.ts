/**
 * The console's "Test API Credentials", for every org at once: who each credential belongs to and
 * its admin roles, the apps bucket's headroom, whether each Spoke's Org2Org app exists and points
 * at the Hub, and whether each provisioning connection's credential works against the Hub.
 * Returns data; `org2org check` renders it.
 */
import { readAttributeMapping, readUserSchema } from '../state/read-attributes.js';
import { normalizeAppUserSchema } from '../state/normalize.js';
import type { LiveAppUserSchema, LiveAttributeMapping, LiveUserSchema } from '../state/types.js';
import type { DesiredConnection, DesiredSpoke, DesiredState } from '../config/types.js';
import { DEFAULT_SERVICE_APP_ROLES, DEFAULT_SERVICE_APP_SCOPES, managedServiceAppName } from '../config/types.js';
import type { OrgAuth } from '../credentials.js';
import { Org2OrgError } from '../errors.js';
import { createOktaClient } from '../okta/client.js';
import { OktaApiError } from '../okta/errors.js';
import { connectionJwksUri, readHubServiceApp, readSpokeKeys, type HubServiceApp } from '../okta/service-app.js';
import type { ClientEvent, OktaClient, OktaClientOptions, RateLimitSnapshot } from '../okta/types.js';
import { appRef, pointsAtHub } from '../state/app-identity.js';
import { probeProvisioningToken } from '../state/check-provisioning-token.js';
import { describeApiToken, readApiToken, type ApiTokenReport } from './api-token.js';
import { findOrg2OrgApp } from '../state/find-app.js';
import { findManagedServiceApp, serviceAppGaps, type ServiceAppWanted } from '../state/service-app-rules.js';

export interface CredentialCheck {
  /** Login of the token's owner, or `service app <clientId>`. */
  identity?: string;
  /** Admin role types (SUPER_ADMIN, APP_ADMIN, …); undefined when they could not be read. */
  roles?: string[];
  /** OAuth scopes requested (and granted, since the token was issued). */
  scopes?: string[];
  /** How org2org authenticated: an API token (SSWS), or the service app's Bearer or DPoP-bound (RFC 9449) access token. */
  authMode?: 'SSWS' | 'Bearer' | 'DPoP';
  /** An API token's owner and expiry as Okta lists them (SSWS only). */
  apiToken?: CheckedApiToken;
}

/** An API token's metadata, and the line `check` prints for it. */
export interface CheckedApiToken extends ApiTokenReport {
  summary: string;
}

export interface OrgCheck {
  org: string;
  kind: 'hub' | 'spoke';
  url: string;
  ok: boolean;
  credential?: CredentialCheck;
  /** The apps bucket (all of /api/v1/apps/*) after the check's own calls. */
  headroom?: RateLimitSnapshot;
  app?: { found: boolean; id?: string; baseUrl?: string; baseUrlMatchesHub?: boolean };
  connection?: {
    authScheme: 'TOKEN' | 'OAUTH2';
    /** Live status of the Spoke's connection, when the app exists. */
    liveStatus?: string;
    liveAuthScheme?: string;
    /** TOKEN: the provisioning token tested against the Hub. */
    tokenOwner?: string;
    tokenRoles?: string[];
    /** TOKEN: the provisioning token's owner and expiry as the Hub lists them. */
    apiToken?: CheckedApiToken;
    /** OAUTH2: the Hub's service app as the Hub credential sees it. */
    serviceApp?: { found: boolean; clientId?: string; status?: string; scopes?: string[]; roles?: string[] };
  };
  /** Why the org fails the check (each one line). */
  problems: string[];
  /** What will fail soon unless someone acts (an API token about to expire); the check still passes. */
  warnings: string[];
  /** What deserves attention but doesn't fail it. */
  notes: string[];
}

export interface CheckOptions {
  maxApiCapacity?: number;
  debug?: boolean;
  onEvent?: (event: ClientEvent) => void;
  /** Client factory (tests); defaults to createOktaClient. */
  createClient?: (options: OktaClientOptions) => OktaClient;
  /** Ctrl-C: requests not yet sent are dropped. */
  signal?: AbortSignal;
  /** Warn about an API token that expires within this many days (default 14). */
  tokenExpiryDays?: number;
  /** Clock (tests); defaults to Date.now. */
  now?: () => number;
}

/** Days before an API token's expiry that `check` starts warning: two weekly runs' notice. */
export const DEFAULT_TOKEN_EXPIRY_DAYS = 14;

const APP_MANAGER_ROLES = ['SUPER_ADMIN', 'ORG_ADMIN', 'APP_ADMIN'];

export async function checkOrgs(desired: DesiredState, options: CheckOptions = {}): Promise<OrgCheck[]> {
  const make = (org: string, baseUrl: string, auth: OrgAuth): OktaClient =>
    (options.createClient ?? createOktaClient)({
      org,
      baseUrl,
      auth,
      ...(options.maxApiCapacity !== undefined ? { maxApiCapacity: options.maxApiCapacity } : {}),
      ...(options.debug !== undefined ? { debug: options.debug } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      maxRetries: 3,
    });
  const hubClient = desired.hub.auth ? make('hub', desired.hub.url, desired.hub.auth) : undefined;
  // The Hub's user schema, read once for every Spoke's carried attributes (only when a Spoke has an app).
  let hubUserSchema: Promise<LiveUserSchema> | undefined;
  const hubSchema = hubClient ? () => (hubUserSchema ??= readUserSchema(hubClient, 'user schema', undefined)) : undefined;
  const jobs: Promise<OrgCheck>[] = [];
  if (hubClient) jobs.push(checkHub(hubClient, desired));
  for (const spoke of desired.spokes)
    jobs.push(checkSpoke(make(spoke.name, spoke.url, spoke.auth), spoke, desired, hubClient, make, hubSchema));
  const results = await Promise.all(jobs);
  const now = (options.now ?? Date.now)();
  const days = options.tokenExpiryDays ?? DEFAULT_TOKEN_EXPIRY_DAYS;
  for (const r of results)
    for (const token of [r.credential?.apiToken, r.connection?.apiToken]) if (token) sayApiToken(r, token, now, days);
  return results;
}

function sayApiToken(result: OrgCheck, token: CheckedApiToken, now: number, days: number): void {
  const said = describeApiToken(token, now, days);
  token.summary = said.line;
  if (said.warning) result.warnings.push(said.warning);
  if (said.note) result.notes.push(said.note);
}

/** The owner and expiry of the API token `client` uses (its owner read from /users/me already). */
async function apiTokenOf(client: OktaClient, envVar: string, owner: { id: string; login: string }): Promise<CheckedApiToken> {
  return { ...(await readApiToken(client, envVar, owner)), summary: '' };
}

async function checkHub(client: OktaClient, desired: DesiredState): Promise<OrgCheck> {
  const result: OrgCheck = { org: 'hub', kind: 'hub', url: desired.hub.url, ok: true, problems: [], warnings: [], notes: [] };
  await guard(result, async () => {
    result.credential = await whoAmI(client, desired.hub.auth!, result);
    await measureAppsBucket(client, result, () => client.get('/api/v1/apps', { limit: 1 }));
  });
  sayAuthMode(client, result);
  result.ok = result.problems.length === 0;
  return result;
}

async function checkSpoke(
  client: OktaClient,
  spoke: DesiredSpoke,
  desired: DesiredState,
  hubClient: OktaClient | undefined,
  make: (org: string, baseUrl: string, auth: OrgAuth) => OktaClient,
  hubSchema: (() => Promise<LiveUserSchema>) | undefined,
): Promise<OrgCheck> {
  const result: OrgCheck = { org: spoke.name, kind: 'spoke', url: spoke.url, ok: true, problems: [], warnings: [], notes: [] };
  await guard(result, async () => {
    result.credential = await whoAmI(client, spoke.auth, result);
    const roles = result.credential.roles;
    if (spoke.mode === 'managed' && roles && !roles.some((r) => APP_MANAGER_ROLES.includes(r))) {
      result.problems.push(
        `the credential's owner has no role that can manage apps (has ${roles.join(', ') || 'none'}; needs Super, Org or Application Administrator)`,
      );
    }
    const found = await measureAppsBucket(client, result, () => findOrg2OrgApp(client, spoke, desired.hub.url));
    const app = found.app ? appRef(found.app) : undefined;
    if (found.problem !== undefined) {
      result.app = { found: false };
      result.problems.push(found.problem);
    } else if (!app) {
      result.app = { found: false };
      result.notes.push(`no Org2Org app labelled "${spoke.app.label}" yet (apply creates it)`);
    } else {
      const matches = pointsAtHub(app.baseUrl, desired.hub.url);
      result.app = { found: true, id: app.id, ...(app.baseUrl !== undefined ? { baseUrl: app.baseUrl } : {}), baseUrlMatchesHub: matches };
      if (!matches)
        result.problems.push(
          `the Org2Org app "${spoke.app.label}" points at ${app.baseUrl ?? '(no base URL)'}, not the Hub ${desired.hub.url}`,
        );
    }
    if (spoke.connection) result.connection = await checkConnection(client, app?.id, spoke.connection, desired, hubClient, make, result);
    if (app && hubSchema) await checkCarriedAttributes(client, app.id, hubSchema, result);
  });
  sayAuthMode(client, result);
  result.ok = result.problems.length === 0;
  return result;
}

async function checkConnection(
  client: OktaClient,
  appId: string | undefined,
  connection: DesiredConnection,
  desired: DesiredState,
  hubClient: OktaClient | undefined,
  make: (org: string, baseUrl: string, auth: OrgAuth) => OktaClient,
  result: OrgCheck,
): Promise<NonNullable<OrgCheck['connection']>> {
  const out: NonNullable<OrgCheck['connection']> = { authScheme: connection.authScheme };
  let liveClientId: string | undefined;
  if (appId) {
    const live = await client.get<{ status?: string; profile?: { authScheme?: string; clientId?: string } }>(
      `/api/v1/apps/${appId}/connections/default`,
    );
    if (live.status) out.liveStatus = live.status;
    if (live.profile?.authScheme) out.liveAuthScheme = live.profile.authScheme;
    if (live.profile?.authScheme === 'OAUTH2' && typeof live.profile.clientId === 'string') liveClientId = live.profile.clientId;
  }
  if (connection.authScheme === 'TOKEN') {
    if (!connection.token.isSet) {
      result.problems.push(`the provisioning token ${connection.token.envVar} is not set`);
      return out;
    }
    // Okta requires the provisioning token to belong to a Hub Super Administrator. Check fails on
    // a token it could not test too: it is there to say the credentials work.
    const asProvisioner = make(`${result.org} provisioning token`, desired.hub.url, { kind: 'token', token: connection.token });
    const probe = await probeProvisioningToken(connection.token.envVar, asProvisioner);
    if (probe.owner !== undefined) out.tokenOwner = probe.owner;
    if (probe.roles !== undefined) out.tokenRoles = probe.roles;
    if (probe.finding) result.problems.push(probe.finding.message);
    if (probe.ownerId !== undefined && probe.owner !== undefined)
      out.apiToken = await apiTokenOf(asProvisioner, connection.token.envVar, { id: probe.ownerId, login: probe.owner });
    return out;
  }
  if (!hubClient) {
    result.notes.push(
      `the Hub has no credentials in the config: the OAuth service app ${connection.clientId ?? `(${managedServiceAppName(result.org)})`} can't be looked up`,
    );
    return out;
  }
  await checkServiceApp(client, appId, connection, liveClientId, hubClient, result, out);
  return out;
}

/**
 * An OAuth 2.0 connection end to end, as Okta's guide builds it: the Hub's service app exists, is
 * ACTIVE, uses private_key_jwt, trusts the Spoke app's key in use (kid and modulus, or the right
 * jwks_uri), has the scopes granted and the roles assigned, and the Spoke's connection names it.
 * Each gap is one problem naming the missing step.
 */
async function checkServiceApp(
  client: OktaClient,
  appId: string | undefined,
  connection: Extract<DesiredConnection, { authScheme: 'OAUTH2' }>,
  liveClientId: string | undefined,
  hubClient: OktaClient,
  result: OrgCheck,
  out: NonNullable<OrgCheck['connection']>,
): Promise<void> {
  const name = managedServiceAppName(result.org);
  let app: HubServiceApp | undefined;
  try {
    if (connection.managed) {
      const lookup = await findManagedServiceApp(hubClient, name, liveClientId);
      app = lookup.app;
    } else app = await readHubServiceApp(hubClient, connection.clientId ?? '');
  } catch (err) {
    if (!(err instanceof OktaApiError)) throw err;
    result.notes.push(
      `the Hub's service app ${connection.clientId ?? name} could not be read with the Hub credential: ${err.errorSummary ?? err.status} (reading clients, grants and roles needs a Super Administrator)`,
    );
    return;
  }
  const clientId = app?.clientId ?? connection.clientId ?? name;
  out.serviceApp = { found: app !== undefined, clientId };
  if (app) {
    out.serviceApp.status = app.status;
    out.serviceApp.scopes = app.grants.map((g) => g.scopeId);
    out.serviceApp.roles = app.roles.map((r) => r.type);
  }
  if (!app && !appId) {
    result.notes.push(`no Hub service app ${clientId} yet (apply creates it with the Spoke app)`);
    return;
  }
  const wanted: ServiceAppWanted = {
    rotationMode: connection.rotationMode,
    scopes: connection.managed?.scopes ?? DEFAULT_SERVICE_APP_SCOPES,
    roles: connection.managed?.roles ?? DEFAULT_SERVICE_APP_ROLES,
  };
  if (appId) {
    wanted.jwksUri = connectionJwksUri(client.baseUrl, appId);
    if (connection.rotationMode === 'MANUAL') wanted.spokeKeys = await readSpokeKeys(client, appId);
  }
  const fix = connection.managed ? ' — `org2org apply` repairs it' : '';
  for (const gap of serviceAppGaps(app, clientId, wanted)) result.problems.push(gap + fix);
  if (app && liveClientId !== undefined && liveClientId !== app.clientId) {
    result.problems.push(
      `step 6 (the Spoke's connection): it uses the client ${liveClientId}, not the Hub's service app ${app.clientId}${fix}`,
    );
  }
}

/** Which mode the org's credential used, once its calls were made (a service app's token type is Okta's answer). */
function sayAuthMode(client: OktaClient, result: OrgCheck): void {
  const mode = client.authMode?.();
  if (!mode || !result.credential) return;
  result.credential.authMode = mode;
  if (mode !== 'SSWS' && result.credential.identity?.startsWith('service app '))
    result.credential.identity += mode === 'DPoP' ? ' (DPoP-bound token)' : ' (Bearer token)';
}

interface OktaUser {
  id: string;
  profile?: { login?: string };
}

async function whoAmI(client: OktaClient, auth: OrgAuth, result: OrgCheck): Promise<CredentialCheck> {
  if (auth.kind === 'oauth') {
    // A service app has no user behind it; the token being issued proves the scopes are granted.
    return { identity: `service app ${auth.clientId}`, scopes: [...auth.scopes] };
  }
  const me = await client.get<OktaUser>('/api/v1/users/me');
  const check: CredentialCheck = { identity: me.profile?.login ?? me.id };
  const roles = await readRoles(client, me.id);
  if (roles) check.roles = roles;
  else result.notes.push('the admin roles of the token owner could not be read');
  check.apiToken = await apiTokenOf(client, auth.token.envVar, { id: me.id, login: check.identity! });
  return check;
}

async function readRoles(client: OktaClient, userId: string): Promise<string[] | undefined> {
  try {
    const roles = await client.get<{ type?: string }[]>(`/api/v1/users/${encodeURIComponent(userId)}/roles`);
    return roles
      .map((r) => r.type ?? '')
      .filter(Boolean)
      .sort();
  } catch (err) {
    if (err instanceof OktaApiError && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
}

async function measureAppsBucket<T>(client: OktaClient, result: OrgCheck, call: () => Promise<T>): Promise<T> {
  const value = await call();
  const apps = client.rateLimits().find((r) => r.bucket === 'apps');
  if (apps) {
    result.headroom = apps;
    if (apps.remaining < apps.limit * 0.2)
      result.notes.push(
        `only ${apps.remaining} of ${apps.limit} calls left in the apps bucket until ${new Date(apps.reset * 1000).toISOString()}`,
      );
  }
  return value;
}

/**
 * What the Spoke's "Okta User → app" mapping fills in the app's custom attributes, Org2Org carries
 * to the Hub user under the same name: one the Hub's user profile lacks never arrives (Okta drops
 * it or fails the push; which is UNKNOWN). Each is a problem, whatever the config says.
 */
async function checkCarriedAttributes(
  client: OktaClient,
  appId: string,
  hubSchema: () => Promise<LiveUserSchema>,
  result: OrgCheck,
): Promise<void> {
  let read: [LiveAttributeMapping | null, LiveAppUserSchema, LiveUserSchema];
  try {
    read = await Promise.all([
      readAttributeMapping(client, appId, undefined),
      client.get<Record<string, unknown>>(`/api/v1/meta/schemas/apps/${encodeURIComponent(appId)}/default`).then(normalizeAppUserSchema),
      hubSchema(),
    ]);
  } catch (err) {
    // An org without profile mappings (404) maps nothing; one this credential may not read is said, not failed.
    if (err instanceof OktaApiError && err.status === 404) return;
    if (err instanceof OktaApiError && err.status === 403) {
      result.notes.push(`carried attributes not checked: ${err.message}`);
      return;
    }
    throw err;
  }
  const [mapping, appSchema, hub] = read;
  const custom = appSchema.custom ?? {};
  for (const [name, property] of Object.entries(mapping?.properties ?? {})) {
    if (!Object.hasOwn(custom, name) || Object.hasOwn(hub.types, name)) continue;
    result.problems.push(
      `the Okta User → app mapping fills ${name} (from ${property.expression}), which Org2Org carries to the Hub, but the Hub's user profile has no ${name}: it never arrives. Add it in the Hub (Profile Editor → User), or carry it with create: true`,
    );
  }
}

/** Record an Okta failure as the org's problem; anything else is a bug and propagates. */
async function guard(result: OrgCheck, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof OktaApiError || err instanceof Org2OrgError) {
      result.problems.push(err.message.replace(new RegExp(`^${escapeRegExp(result.org)}: `), ''));
      return;
    }
    throw err;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
