/**
 * `/api/v1/api-tokens`: the metadata of the org's active API tokens (never a token's value), as
 * recorded (Terraform cassettes: `GET /api/v1/api-tokens/{id}`) and as the spec lists them.
 * Only a Super Administrator may read them here (server.ts); others get Okta's 403.
 */
import type { SimOrg, TokenGrant } from './org-state.js';
import { secondsIso } from './org-state.js';
import { notFound, type RequestContext, type Reply, type RouteSpec } from './router.js';

/** A token's metadata with the recorded keys, in the recorded order. */
export function apiTokenJson(org: SimOrg, t: TokenGrant): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    userId: t.userId,
    clientName: 'Okta API',
    tokenWindow: t.tokenWindow,
    network: { connection: 'ANYWHERE' },
    expiresAt: secondsIso(t.lastUsedMs + t.windowMs),
    created: t.created,
    lastUpdated: t.created,
    _links: {
      self: { href: `${org.url}/api/v1/api-tokens/${t.id}`, hints: { allow: ['GET', 'DELETE'] } },
      user: { href: `${org.url}/api/v1/users/${t.userId}`, hints: { allow: ['GET'] } },
    },
  };
}

/** Tokens Okta still honours ("Lists all the metadata of the active API tokens"), oldest first. */
function activeTokens(org: SimOrg): TokenGrant[] {
  return [...org.tokens.entries()]
    .filter(([value]) => org.liveToken(value) !== undefined)
    .map(([, grant]) => grant)
    .sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
}

function listApiTokens(ctx: RequestContext): Reply {
  const tokens = activeTokens(ctx.org).map((t) => apiTokenJson(ctx.org, t));
  return { status: 200, body: tokens, headers: { link: `<${ctx.org.url}/api/v1/api-tokens>; rel="self"` } };
}

function getApiToken(ctx: RequestContext): Reply {
  const token = activeTokens(ctx.org).find((t) => t.id === ctx.params.apiTokenId);
  if (!token) throw notFound(ctx.params.apiTokenId);
  return { status: 200, body: apiTokenJson(ctx.org, token) };
}

export const API_TOKEN_ROUTES: RouteSpec[] = [
  { method: 'GET', template: '/api/v1/api-tokens', bucket: 'default', resource: 'apiTokens', write: false, handler: listApiTokens },
  {
    method: 'GET',
    template: '/api/v1/api-tokens/{apiTokenId}',
    bucket: 'default',
    resource: 'apiTokens',
    write: false,
    handler: getApiToken,
  },
];
