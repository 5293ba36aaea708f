/**
 * The rules of a Spoke's OAuth 2.0 connection, over what src/okta/service-app.ts reads: which Hub
 * client is the service app org2org manages for a Spoke, whether it trusts the Spoke app's key in
 * use, and, step by step of Okta's guide ("Secure API connections between orgs with OAuth 2.0"),
 * what stops the Spoke from provisioning through it. Used by plan's reads, `check` and `rotate-keys`.
 */
import {
  clientIdsNamed,
  currentKey,
  type HubServiceApp,
  type PublicKey,
  readHubServiceApp,
  sameKey,
  type SpokeKeys,
} from '../okta/service-app.js';
import type { OktaClient } from '../okta/types.js';

/** The service app org2org manages for a Spoke, and how it was told apart. */
export interface ManagedServiceAppLookup {
  app?: HubServiceApp;
  /**
   * `connection`: the client the Spoke's connection uses (whatever its name now: a rename is drift);
   * `name`: no live connection names a client that exists, so the one with the managed name.
   */
  identifiedBy?: 'connection' | 'name';
  /** The client the connection uses when it is not the managed app (re-pointed at another client). */
  repointedTo?: { clientId: string; name: string };
}

/**
 * The managed service app is the client the Spoke's connection uses: that is what provisioning
 * runs through, so a renamed app stays the same app. The managed name decides only when the
 * connection names no client that exists (not yet connected, another scheme, a deleted client),
 * or when the connection was re-pointed at another client while the managed one still exists:
 * then the managed one is the app, and the connection is drift.
 */
export async function findManagedServiceApp(
  hub: OktaClient,
  name: string,
  connectionClientId: string | undefined,
): Promise<ManagedServiceAppLookup> {
  const [used, named] = await Promise.all([
    connectionClientId !== undefined ? readHubServiceApp(hub, connectionClientId) : Promise.resolve(undefined),
    clientIdsNamed(hub, name),
  ]);
  if (used && (named.length === 0 || named.includes(used.clientId))) return { app: used, identifiedBy: 'connection' };
  const app = named[0] !== undefined ? await readHubServiceApp(hub, named[0]) : undefined;
  if (!app) return {};
  return { app, identifiedBy: 'name', ...(used ? { repointedTo: { clientId: used.clientId, name: used.name } } : {}) };
}

export interface ServiceAppWanted {
  rotationMode: 'AUTO' | 'MANUAL';
  /** The Spoke's keys (MANUAL trust is checked against the one in use). */
  spokeKeys?: SpokeKeys;
  /** Where AUTO trust must point. */
  jwksUri?: string;
  scopes: string[];
  roles: string[];
}

/**
 * Keys the Hub app holds beside the Spoke's key in use (MANUAL): each one lets whoever holds its
 * private key get tokens as this app, with its roles in the Hub.
 */
export function extraKeys(app: HubServiceApp, wanted: Pick<ServiceAppWanted, 'rotationMode' | 'spokeKeys'>): PublicKey[] {
  const held = app.jwks ?? [];
  // AUTO trusts by jwks_uri, and Okta holds jwks or jwks_uri, never both: held keys fail the trust check instead.
  if (wanted.rotationMode === 'AUTO') return [];
  const key = wanted.spokeKeys ? currentKey(wanted.spokeKeys) : undefined;
  return key ? held.filter((k) => !sameKey(k, key)) : [];
}

/** Whether the Hub app trusts the Spoke's key in use: by jwks_uri (AUTO) or by holding it (kid and modulus). */
export function trustsSpoke(app: HubServiceApp, wanted: Pick<ServiceAppWanted, 'rotationMode' | 'spokeKeys' | 'jwksUri'>): boolean {
  if (wanted.rotationMode === 'AUTO') return app.jwksUri !== null && wanted.jwksUri !== undefined && sameUrl(app.jwksUri, wanted.jwksUri);
  const key = wanted.spokeKeys ? currentKey(wanted.spokeKeys) : undefined;
  return key !== undefined && (app.jwks ?? []).some((k) => sameKey(k, key));
}

/**
 * What stops the Spoke from provisioning through this service app, one line per missing step of
 * Okta's guide (3: the app, 4: grants, 5: roles). Empty: nothing is missing.
 */
export function serviceAppGaps(app: HubServiceApp | undefined, clientId: string, wanted: ServiceAppWanted): string[] {
  if (!app) return [`step 3 (the Hub's service app): there is no OAuth 2.0 client ${clientId} in the Hub`];
  const gaps: string[] = [];
  const label = `the Hub's service app ${app.name || clientId} (${clientId})`;
  if (app.status !== 'ACTIVE') gaps.push(`step 3 (the Hub's service app): ${label} is ${app.status}`);
  if (app.tokenEndpointAuthMethod !== 'private_key_jwt')
    gaps.push(
      `step 3 (the Hub's service app): ${label} authenticates with ${app.tokenEndpointAuthMethod || '(none)'}, not private_key_jwt`,
    );
  if (!app.grantTypes.includes('client_credentials'))
    gaps.push(`step 3 (the Hub's service app): ${label} may not use the client_credentials grant`);
  if (!trustsSpoke(app, wanted)) {
    if (wanted.rotationMode === 'AUTO') {
      gaps.push(
        `step 3 (the Hub's service app): ${label} does not read the Spoke's keys from ${wanted.jwksUri ?? 'the Spoke connection JWKS'} (jwks_uri is ${app.jwksUri ?? 'not set'})`,
      );
    } else {
      const key = wanted.spokeKeys ? currentKey(wanted.spokeKeys) : undefined;
      gaps.push(
        `step 3 (the Hub's service app): ${label} does not hold the Spoke app's key in use${key?.kid ? ` (kid ${key.kid})` : ''}; it holds ${(app.jwks ?? []).map((k) => k.kid ?? '(no kid)').join(', ') || 'no keys'}`,
      );
    }
  }
  const extra = extraKeys(app, wanted);
  if (extra.length > 0) {
    const newer = new Set((wanted.spokeKeys?.keys ?? []).map((k) => k.kid));
    const rotation = extra.every((k) => k.kid !== undefined && newer.has(k.kid));
    gaps.push(
      `step 3 (the Hub's service app): ${label} also trusts ${extra.length === 1 ? 'the key' : 'the keys'} ${extra.map((k) => k.kid ?? '(no kid)').join(', ')} beside the Spoke app's key in use: whoever holds ${extra.length === 1 ? 'it' : 'them'} can get tokens as this app, with its roles in the Hub${rotation ? ' (keys of the Spoke app: a key rotation cut off after step 2? `org2org rotate-keys` finishes it)' : ''}`,
    );
  }
  const granted = new Set(app.grants.map((g) => g.scopeId));
  const missingScopes = wanted.scopes.filter((s) => !granted.has(s));
  if (missingScopes.length > 0) gaps.push(`step 4 (scope grants): ${label} is not granted ${missingScopes.join(', ')}`);
  const assigned = new Set(app.roles.map((r) => r.type));
  const missingRoles = wanted.roles.filter((r) => !assigned.has(r));
  if (missingRoles.length > 0)
    gaps.push(`step 5 (admin roles): ${label} lacks the role${missingRoles.length > 1 ? 's' : ''} ${missingRoles.join(', ')}`);
  return gaps;
}

/** Same URL: the origin compares case-insensitively, the path (with its case-sensitive app id) exactly. */
function sameUrl(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.origin.toLowerCase() === y.origin.toLowerCase() && x.pathname.replace(/\/+$/, '') === y.pathname.replace(/\/+$/, '');
  } catch {
    return a === b;
  }
}
