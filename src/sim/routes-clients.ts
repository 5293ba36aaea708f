/**
 * The Hub side of an OAuth 2.0 Org2Org connection: OAuth 2.0 clients (`/oauth2/v1/clients`,
 * Dynamic Client Registration shapes), their scope grants (`/api/v1/apps/{appId}/grants`) and
 * their admin roles (`/oauth2/v1/clients/{clientId}/roles`).
 *
 * `PUT /oauth2/v1/clients/{clientId}` replaces the whole client: Okta refuses an update that
 * leaves settings out (no partial updates, no PATCH), and `jwks.keys` is overwritten, not merged.
 */
import { createPublicKey, randomBytes, type JsonWebKey } from 'node:crypto';
import type { SimApp, SimGrant, SimOAuthClient, SimOrg } from './org-state.js';
import { nowIso } from './org-state.js';
import { invalid, notFound, objectBody, OktaError, type Reply, type RequestContext, type RouteSpec } from './router.js';
import type { AdminRole } from './types.js';
import { simNow } from './clock.js';

/** DCR answers validation errors in OAuth's shape, not Okta's error body. */
class ClientMetadataError extends OktaError {
  constructor(description: string) {
    super(400, 'invalid_client_metadata', description);
  }

  override body(): Record<string, unknown> {
    return { error: 'invalid_client_metadata', error_description: this.summary };
  }
}

const AUTH_METHODS = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'];
const APPLICATION_TYPES = ['service', 'web', 'native', 'browser'];
export const GRANTABLE_SCOPE = /^okta\.[A-Za-z]+\.(read|manage)$/;
export const CLIENT_ROLE_LABELS: Partial<Record<AdminRole, string>> = {
  SUPER_ADMIN: 'Super Organization Administrator',
  ORG_ADMIN: 'Organizational Administrator',
  APP_ADMIN: 'Application Administrator',
  USER_ADMIN: 'Group Administrator',
  GROUP_MEMBERSHIP_ADMIN: 'Group Membership Administrator',
  READ_ONLY_ADMIN: 'Read Only Administrator',
};

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** Reads a whole client from a create or replace body; every setting must be there. */
function readClient(body: Record<string, unknown>, existing?: SimOAuthClient): Omit<SimOAuthClient, 'clientId'> {
  const missing = (name: string): never => {
    throw new ClientMetadataError(
      `${name} is required${existing ? ': a client is replaced whole, partial updates are not supported' : ''}.`,
    );
  };
  const clientName = typeof body.client_name === 'string' && body.client_name !== '' ? body.client_name : missing('client_name');
  const applicationType =
    typeof body.application_type === 'string' ? body.application_type : existing ? missing('application_type') : 'web';
  if (!APPLICATION_TYPES.includes(applicationType))
    throw new ClientMetadataError(`application_type must be one of ${APPLICATION_TYPES.join(', ')}.`);
  const grantTypes = strings(body.grant_types) ?? (existing ? missing('grant_types') : ['authorization_code']);
  const responseTypes = strings(body.response_types) ?? (existing ? missing('response_types') : ['code']);
  const method =
    typeof body.token_endpoint_auth_method === 'string'
      ? body.token_endpoint_auth_method
      : existing
        ? missing('token_endpoint_auth_method')
        : 'client_secret_basic';
  if (!AUTH_METHODS.includes(method))
    throw new ClientMetadataError(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}.`);
  if (applicationType === 'service') {
    if (grantTypes.length !== 1 || grantTypes[0] !== 'client_credentials')
      throw new ClientMetadataError('A service application must use the client_credentials grant type only.');
    if (!responseTypes.every((t) => t === 'token'))
      throw new ClientMetadataError('A service application may only use the token response type.');
    if (method === 'none') throw new ClientMetadataError('A service application must authenticate to the token endpoint.');
  }
  const jwksBody = body.jwks as Record<string, unknown> | undefined;
  const keys = jwksBody === undefined ? undefined : Array.isArray(jwksBody?.keys) ? (jwksBody.keys as unknown[]) : null;
  if (keys === null) throw new ClientMetadataError('jwks must be an object with a keys array.');
  const jwksUri = typeof body.jwks_uri === 'string' && body.jwks_uri !== '' ? body.jwks_uri : null;
  if (keys && jwksUri) throw new ClientMetadataError('jwks and jwks_uri cannot both be set.');
  if (method === 'private_key_jwt' && !jwksUri && (!keys || keys.length === 0)) {
    throw new ClientMetadataError(
      `private_key_jwt needs the client's public keys: jwks or jwks_uri${existing ? ' (a replace must repeat them)' : ''}.`,
    );
  }
  const kids = new Set<string>();
  for (const [i, key] of (keys ?? []).entries()) {
    if (!key || typeof key !== 'object') throw new ClientMetadataError(`jwks.keys[${i}] must be a JSON Web Key.`);
    const kid = (key as Record<string, unknown>).kid;
    if (typeof kid === 'string') {
      if (kids.has(kid)) throw new ClientMetadataError(`jwks.keys: the kid ${kid} is used twice.`);
      kids.add(kid);
    }
    try {
      createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    } catch {
      throw new ClientMetadataError(`jwks.keys[${i}] is not a valid public key.`);
    }
  }
  if (jwksUri) {
    try {
      new URL(jwksUri);
    } catch {
      throw new ClientMetadataError('jwks_uri must be a URL.');
    }
  }
  // Okta stores each key with an id and a status of its own (recorded); a key sent again (same kid
  // and modulus) keeps its id.
  const stored = (keys ?? []).map((k) => {
    const jwk = k as Record<string, unknown>;
    const same = existing?.jwks?.find((old) => old.kid === jwk.kid && old.n === jwk.n);
    return { ...jwk, id: typeof same?.id === 'string' ? same.id : `pks${randomBytes(9).toString('base64url')}`, status: 'ACTIVE' };
  });
  const needsSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  return {
    clientName,
    applicationType,
    grantTypes: [...grantTypes],
    responseTypes: [...responseTypes],
    tokenEndpointAuthMethod: method,
    jwks: keys ? stored : null,
    jwksUri,
    clientSecret: needsSecret ? (existing?.clientSecret ?? randomBytes(24).toString('base64url')) : null,
    issuedAt: existing?.issuedAt ?? Math.floor(simNow() / 1000),
  };
}

export function clientJson(org: SimOrg, app: SimApp & { oauth: SimOAuthClient }, withSecret = false): Record<string, unknown> {
  const c = app.oauth;
  return {
    client_id: c.clientId,
    client_id_issued_at: c.issuedAt,
    client_name: c.clientName,
    client_uri: null,
    logo_uri: null,
    application_type: c.applicationType,
    redirect_uris: [],
    response_types: c.responseTypes,
    grant_types: c.grantTypes,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    ...(c.jwks ? { jwks: { keys: c.jwks } } : {}),
    ...(c.jwksUri ? { jwks_uri: c.jwksUri } : {}),
    ...(withSecret && c.clientSecret ? { client_secret: c.clientSecret, client_secret_expires_at: 0 } : {}),
    _links: { app: { href: `${org.url}/api/v1/apps/${app.id}` } },
  };
}

function findClient(ctx: RequestContext): SimApp & { oauth: SimOAuthClient } {
  const app = ctx.org.oauthClient(ctx.params.clientId!);
  if (!app) throw notFound(ctx.params.clientId);
  return app;
}

function createClient(ctx: RequestContext): Reply {
  const oauth = readClient(objectBody(ctx));
  const app = ctx.org.addApp({ name: 'oidc_client', label: oauth.clientName, signOnMode: 'OPENID_CONNECT', settings: {} });
  // The spec: a client can't be created with a client_id of its choosing here; Okta uses the app id.
  app.oauth = { ...oauth, clientId: app.id };
  return { status: 201, body: clientJson(ctx.org, app as SimApp & { oauth: SimOAuthClient }, true) };
}

function replaceClient(ctx: RequestContext): Reply {
  const app = findClient(ctx);
  const body = objectBody(ctx);
  if (body.client_id !== undefined && body.client_id !== app.oauth.clientId) throw new ClientMetadataError('client_id cannot be changed.');
  // The spec: "the request can't include client_id_issued_at or client_secret_expires_at". What
  // Okta answers when one is sent is UNKNOWN (docs/okta-fidelity.md); the simulator refuses, so a
  // client that sends them back fails here, loudly, and not first against a real org.
  for (const field of ['client_id_issued_at', 'client_secret_expires_at'])
    if (body[field] !== undefined) throw new ClientMetadataError(`${field} is read-only and can't be part of a replace.`);
  app.oauth = { ...readClient(body, app.oauth), clientId: app.oauth.clientId };
  app.label = app.oauth.clientName;
  app.lastUpdated = nowIso();
  return { status: 200, body: clientJson(ctx.org, app) };
}

function deleteClient(ctx: RequestContext): Reply {
  const app = findClient(ctx);
  ctx.org.apps.delete(app.id);
  return { status: 204 };
}

function listClients(ctx: RequestContext): Reply {
  const q = ctx.query.get('q')?.toLowerCase();
  const limit = Math.min(Number(ctx.query.get('limit') ?? 20) || 20, 200);
  const after = ctx.query.get('after');
  let clients = ctx.org.apps.values().filter((a): a is SimApp & { oauth: SimOAuthClient } => a.oauth !== undefined);
  if (q) clients = clients.filter((a) => a.oauth.clientName.toLowerCase().startsWith(q));
  const start = after ? clients.findIndex((a) => a.id === after) + 1 : 0;
  const page = clients.slice(start, start + limit);
  const headers: Record<string, string> = {};
  if (start + limit < clients.length && page.length > 0) {
    const next = new URLSearchParams(ctx.query);
    next.set('after', page[page.length - 1]!.id);
    headers.link = `<${ctx.org.url}${ctx.path}?${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: page.map((a) => clientJson(ctx.org, a)), headers };
}

// ---- grants -------------------------------------------------------------------------------

function findApp(ctx: RequestContext): SimApp {
  const app = ctx.org.apps.get(ctx.params.appId!);
  if (!app) throw notFound(ctx.params.appId);
  return app;
}

/** A grant as recorded: `createdBy`, and no `_embedded` unless asked for (`expand=scope`, the spec). */
function grantJson(org: SimOrg, app: SimApp, g: SimGrant, expandScope = false): Record<string, unknown> {
  return {
    id: g.id,
    status: 'ACTIVE',
    created: g.created,
    lastUpdated: g.created,
    issuer: g.issuer,
    clientId: app.oauth?.clientId ?? app.id,
    scopeId: g.scopeId,
    source: 'ADMIN',
    ...(expandScope ? { _embedded: { scope: { id: g.scopeId } } } : {}),
    // A grant made behind the API's back (seeded) stands as made by the org's first Super Administrator.
    createdBy: g.createdBy ?? { id: org.users.values().find((u) => u.roles.includes('SUPER_ADMIN'))?.id ?? '', type: 'User' },
    _links: {
      app: { href: `${org.url}/api/v1/apps/${app.id}`, title: app.label },
      self: { href: `${org.url}/api/v1/apps/${app.id}/grants/${g.id}`, hints: { allow: ['GET', 'DELETE'] } },
      client: { href: `${org.url}/oauth2/v1/clients/${app.oauth?.clientId ?? app.id}`, title: app.label },
    },
  };
}

function listGrants(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const expand = ctx.query.get('expand') === 'scope';
  return { status: 200, body: app.grants.values().map((g) => grantJson(ctx.org, app, g, expand)) };
}

function createGrant(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const body = objectBody(ctx);
  const causes: string[] = [];
  if (typeof body.scopeId !== 'string' || !GRANTABLE_SCOPE.test(body.scopeId))
    causes.push(`scopeId: ${JSON.stringify(body.scopeId ?? null)} is not an Okta scope (okta.<resource>.read|manage)`);
  const issuer = typeof body.issuer === 'string' ? body.issuer.replace(/\/+$/, '') : undefined;
  if (issuer === undefined) causes.push('issuer: The field cannot be left blank');
  else if (issuer.toLowerCase() !== ctx.org.url.toLowerCase()) causes.push(`issuer: must be this org's URL (${ctx.org.url})`);
  if (causes.length > 0) throw invalid(causes.join('; '), causes);
  if (app.grants.values().some((g) => g.scopeId === body.scopeId)) {
    throw invalid('A consent grant for this scope already exists.', [`scopeId: ${String(body.scopeId)} is already granted to this app`]);
  }
  const p = ctx.principal;
  const createdBy = p?.kind === 'oauth' ? { id: p.clientId ?? '', type: 'Client' } : { id: p?.userId ?? '', type: 'User' };
  const g = app.grants.add({
    id: ctx.org.newId('oag'),
    seq: 0,
    scopeId: body.scopeId as string,
    issuer: ctx.org.url,
    created: nowIso(),
    createdBy,
  });
  return { status: 201, body: grantJson(ctx.org, app, g) };
}

function getGrant(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  const g = app.grants.get(ctx.params.grantId!);
  if (!g) throw notFound(ctx.params.grantId);
  return { status: 200, body: grantJson(ctx.org, app, g, ctx.query.get('expand') === 'scope') };
}

function revokeGrant(ctx: RequestContext): Reply {
  const app = findApp(ctx);
  if (!app.grants.delete(ctx.params.grantId!)) throw notFound(ctx.params.grantId);
  return { status: 204 };
}

// ---- client roles ---------------------------------------------------------------------------

function roleJson(
  org: SimOrg,
  app: SimApp & { oauth: SimOAuthClient },
  r: { id: string; type: AdminRole; created: string },
): Record<string, unknown> {
  return {
    id: r.id,
    label: CLIENT_ROLE_LABELS[r.type] ?? r.type,
    type: r.type,
    status: 'ACTIVE',
    created: r.created,
    lastUpdated: r.created,
    assignmentType: 'CLIENT',
    _links: { assignee: { href: `${org.url}/oauth2/v1/clients/${app.oauth.clientId}` } },
  };
}

function listRoles(ctx: RequestContext): Reply {
  const app = findClient(ctx);
  return { status: 200, body: app.roles.values().map((r) => roleJson(ctx.org, app, r)) };
}

function assignRole(ctx: RequestContext): Reply {
  const app = findClient(ctx);
  const body = objectBody(ctx);
  const type = body.type as AdminRole;
  if (typeof type !== 'string' || !(type in CLIENT_ROLE_LABELS)) {
    throw invalid('type', [`type: must be one of ${Object.keys(CLIENT_ROLE_LABELS).join(', ')}`]);
  }
  if (app.roles.values().some((r) => r.type === type)) {
    throw new OktaError(409, 'E0000090', 'Duplicate role assignment exception.', [`The client already has the role ${type}.`]);
  }
  const r = app.roles.add({ id: ctx.org.newId('ira'), seq: 0, type, created: nowIso() });
  // Recorded: 201 (twice); the spec says 200 as well. org2org takes any 2xx.
  return { status: 201, body: roleJson(ctx.org, app, r) };
}

function getRole(ctx: RequestContext): Reply {
  const app = findClient(ctx);
  const r = app.roles.get(ctx.params.roleAssignmentId!);
  if (!r) throw notFound(ctx.params.roleAssignmentId);
  return { status: 200, body: roleJson(ctx.org, app, r) };
}

function unassignRole(ctx: RequestContext): Reply {
  const app = findClient(ctx);
  if (!app.roles.delete(ctx.params.roleAssignmentId!)) throw notFound(ctx.params.roleAssignmentId);
  return { status: 204 };
}

const C = '/oauth2/v1/clients';
const client = (method: string, template: string, handler: RouteSpec['handler'], resource: 'clients' | 'roles' = 'clients'): RouteSpec => ({
  method,
  template,
  handler,
  write: method !== 'GET',
  resource,
  bucket: 'default',
});
const grant = (method: string, template: string, handler: RouteSpec['handler']): RouteSpec => ({
  method,
  template,
  handler,
  write: method !== 'GET',
  resource: 'appGrants',
  bucket: 'apps',
});

export const CLIENT_ROUTES: RouteSpec[] = [
  client('GET', C, listClients),
  client('POST', C, createClient),
  client('GET', `${C}/{clientId}`, (ctx) => ({ status: 200, body: clientJson(ctx.org, findClient(ctx)) })),
  client('PUT', `${C}/{clientId}`, replaceClient),
  client('DELETE', `${C}/{clientId}`, deleteClient),
  client('GET', `${C}/{clientId}/roles`, listRoles, 'roles'),
  client('POST', `${C}/{clientId}/roles`, assignRole, 'roles'),
  client('GET', `${C}/{clientId}/roles/{roleAssignmentId}`, getRole, 'roles'),
  client('DELETE', `${C}/{clientId}/roles/{roleAssignmentId}`, unassignRole, 'roles'),
  grant('GET', '/api/v1/apps/{appId}/grants', listGrants),
  grant('POST', '/api/v1/apps/{appId}/grants', createGrant),
  grant('GET', '/api/v1/apps/{appId}/grants/{grantId}', getGrant),
  grant('DELETE', '/api/v1/apps/{appId}/grants/{grantId}', revokeGrant),
];
