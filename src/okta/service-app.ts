/**
 * Both sides of an OAuth 2.0 Org2Org connection, read through the API (Okta's guide "Secure API
 * connections between orgs with OAuth 2.0"): the Spoke app's signing keys, and the Hub's service
 * app (an OAuth 2.0 client) with its scope grants and admin roles. What they must be for the Spoke
 * to provision through them (which client is the managed one, what trust and grants are missing)
 * are rules of src/state/service-app-rules.ts. Used by src/state (plan), `check`, `rotate-keys`
 * and `export`.
 */
import { Org2OrgError } from '../errors.js';
import { OktaApiError } from './errors.js';
import type { OktaClient } from './types.js';

type Json = Record<string, unknown>;

/** A public key as the Spoke lists it and the Hub app holds it (what identifies it: kid and modulus). */
export interface PublicKey {
  kid?: string;
  kty?: string;
  n?: string;
  e?: string;
  /** The whole JWK as read: sent back to the Hub unchanged. */
  jwk: Json;
}

export interface SpokeKeys {
  /** The key the Spoke app signs with now (`credentials.signing.kid`). */
  signingKid?: string;
  keys: PublicKey[];
}

export interface HubServiceApp {
  clientId: string;
  /**
   * The app's id in the Apps API (`/api/v1/apps/{appId}`: status, lifecycle, scope grants). Okta
   * uses the app id as the client id of a client it names itself (DCR); a client created with a
   * chosen `client_id` (the Apps API allows one) has an app id of its own.
   */
  appId: string;
  name: string;
  /** ACTIVE | INACTIVE, from the Apps API (a client is also an app). */
  status: string;
  applicationType: string;
  grantTypes: string[];
  responseTypes: string[];
  tokenEndpointAuthMethod: string;
  /** MANUAL trust: the keys it holds; null when it uses a jwks_uri. */
  jwks: PublicKey[] | null;
  jwksUri: string | null;
  grants: { id: string; scopeId: string }[];
  roles: { id: string; type: string }[];
  /** The client as Okta returned it, for a whole-object replace. */
  raw: Json;
}

/** What the Hub's `jwks_uri` is for AUTO rotation: the Spoke app connection's JWKS. */
export function connectionJwksUri(spokeUrl: string, appId: string): string {
  return `${spokeUrl.replace(/\/+$/, '')}/api/v1/apps/${encodeURIComponent(appId)}/connections/default/jwks`;
}

export function toPublicKey(jwk: Json): PublicKey {
  const key: PublicKey = { jwk };
  for (const name of ['kid', 'kty', 'n', 'e'] as const) if (typeof jwk[name] === 'string') key[name] = jwk[name] as string;
  return key;
}

/** The JWK to put in the Hub's `jwks.keys`: the public members only. */
export function publicJwk(key: PublicKey): Json {
  const out: Json = {};
  for (const name of ['kty', 'kid', 'use', 'alg', 'e', 'n', 'crv', 'x', 'y']) if (key.jwk[name] !== undefined) out[name] = key.jwk[name];
  out.use ??= 'sig';
  return out;
}

/** Same key: the modulus decides (a kid can be reused), the kid must not contradict it. */
export function sameKey(a: PublicKey, b: PublicKey): boolean {
  if (a.n !== undefined && b.n !== undefined) return a.n === b.n && (a.kid === undefined || b.kid === undefined || a.kid === b.kid);
  return a.kid !== undefined && a.kid === b.kid;
}

export async function readSpokeKeys(spoke: OktaClient, appId: string): Promise<SpokeKeys> {
  const path = `/api/v1/apps/${encodeURIComponent(appId)}`;
  const [app, keys] = await Promise.all([spoke.get<Json>(path), spoke.get<Json[]>(`${path}/credentials/keys`)]);
  const kid = ((app.credentials as Json | undefined)?.signing as Json | undefined)?.kid;
  const out: SpokeKeys = { keys: (Array.isArray(keys) ? keys : []).map(toPublicKey) };
  if (typeof kid === 'string') out.signingKid = kid;
  return out;
}

export function currentKey(keys: SpokeKeys): PublicKey | undefined {
  return keys.keys.find((k) => k.kid === keys.signingKid) ?? (keys.signingKid === undefined ? keys.keys[0] : undefined);
}

/** The Hub's OAuth client, its status, grants and roles; undefined when the Hub has no such client. */
export async function readHubServiceApp(hub: OktaClient, clientId: string): Promise<HubServiceApp | undefined> {
  const id = encodeURIComponent(clientId);
  let client: Json;
  try {
    client = await hub.get<Json>(`/oauth2/v1/clients/${id}`);
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) return undefined;
    throw err;
  }
  const app = await findClientApp(hub, clientId, str(client.client_name));
  const appPath = `/api/v1/apps/${encodeURIComponent(String(app.id))}`;
  const [grants, roles] = await Promise.all([hub.get<Json[]>(`${appPath}/grants`), hub.get<Json[]>(`/oauth2/v1/clients/${id}/roles`)]);
  const jwks = (client.jwks as Json | undefined)?.keys;
  return {
    clientId,
    appId: String(app.id),
    name: str(client.client_name) ?? '',
    status: str(app.status) ?? 'UNKNOWN',
    applicationType: str(client.application_type) ?? '',
    grantTypes: strings(client.grant_types),
    responseTypes: strings(client.response_types),
    tokenEndpointAuthMethod: str(client.token_endpoint_auth_method) ?? '',
    jwks: Array.isArray(jwks) ? (jwks as Json[]).map(toPublicKey) : null,
    jwksUri: str(client.jwks_uri) ?? null,
    grants: (Array.isArray(grants) ? grants : [])
      .filter((g) => g.status === undefined || g.status === 'ACTIVE')
      .map((g) => ({ id: String(g.id), scopeId: String(g.scopeId) }))
      .sort((a, b) => cmp(a.scopeId, b.scopeId)),
    roles: (Array.isArray(roles) ? roles : [])
      .filter((r) => r.status === undefined || r.status === 'ACTIVE')
      .map((r) => ({ id: String(r.id), type: String(r.type) }))
      .sort((a, b) => cmp(a.type, b.type)),
    raw: client,
  };
}

/** The client id an app of the Apps API answers to (`credentials.oauthClient.client_id`), if it is an OAuth client. */
export function appClientId(app: Json): string | undefined {
  return str(((app.credentials as Json | undefined)?.oauthClient as Json | undefined)?.client_id);
}

/**
 * The Apps API's app of an OAuth client. Okta names a client it creates by its app id, so that is
 * tried first (one GET); a client created with a chosen `client_id` (recorded: app `0oa…`, client
 * `testclientid123456`) is found among the OAuth apps by `credentials.oauthClient.client_id`:
 * those labelled with the client's name first (`q`), then all of them (`name eq "oidc_client"`).
 * An app is taken only when its client id is the one asked for: never a guess.
 */
export async function findClientApp(hub: OktaClient, clientId: string, clientName: string | undefined): Promise<Json> {
  try {
    const app = await hub.get<Json>(`/api/v1/apps/${encodeURIComponent(clientId)}`);
    if (appClientId(app) === clientId || (appClientId(app) === undefined && app.id === clientId)) return app;
  } catch (err) {
    if (!(err instanceof OktaApiError && err.status === 404)) throw err;
  }
  const searches: Record<string, string>[] = [];
  if (clientName) searches.push({ q: clientName });
  searches.push({ filter: 'name eq "oidc_client"' });
  for (const query of searches) {
    for await (const page of hub.pages<Json>('/api/v1/apps', { ...query, limit: 200 })) {
      const found = page.find((a) => appClientId(a) === clientId);
      if (found) return found;
    }
  }
  throw new Org2OrgError(
    `the Hub's OAuth client ${clientId} has no app the Hub credential can see in the Apps API (looked for credentials.oauthClient.client_id ${clientId}): its status, grants and roles can't be read`,
  );
}

/**
 * The body of `PUT /oauth2/v1/clients/{clientId}`, the one place that knows what a client
 * replace may carry. Okta replaces a client whole (no partial updates), so every writable setting
 * read is sent back; the spec says a request can't include `client_id_issued_at` or
 * `client_secret_expires_at`, and `client_id`, `client_secret` and `_links` are Okta's own.
 * `changes` are laid over what was read; `jwks` and `jwks_uri` exclude each other, so setting one
 * drops the other.
 */
export function clientPutBody(current: Json, changes: Json = {}): Json {
  const body: Json = {};
  for (const field of CLIENT_WRITABLE_FIELDS) if (current[field] !== undefined) body[field] = structuredClone(current[field]);
  if ('jwks' in changes) delete body.jwks_uri;
  if ('jwks_uri' in changes) delete body.jwks;
  for (const [field, value] of Object.entries(changes)) {
    if (!(CLIENT_WRITABLE_FIELDS as readonly string[]).includes(field))
      throw new Error(`${field} is not a writable field of an OAuth client`);
    body[field] = value;
  }
  return body;
}

/** What a client replace may send (Okta's `Client` schema, less its read-only fields). */
export const CLIENT_WRITABLE_FIELDS = [
  'client_name',
  'application_type',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'jwks',
  'jwks_uri',
  'redirect_uris',
  'post_logout_redirect_uris',
  'initiate_login_uri',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'frontchannel_logout_uri',
  'frontchannel_logout_session_required',
  'request_object_signing_alg',
] as const;

/** The service app with this client name (org2org names the ones it manages); undefined when there is none. */
export async function findServiceAppByName(hub: OktaClient, name: string): Promise<HubServiceApp | undefined> {
  const [clientId] = await clientIdsNamed(hub, name);
  return clientId !== undefined ? readHubServiceApp(hub, clientId) : undefined;
}

/** Client ids of the Hub's clients with exactly this name, in Okta's order. */
export async function clientIdsNamed(hub: OktaClient, name: string): Promise<string[]> {
  const listed = await hub.get<Json[]>('/oauth2/v1/clients', { q: name, limit: 200 });
  return (Array.isArray(listed) ? listed : []).filter((c) => c.client_name === name).map((c) => String(c.client_id));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
