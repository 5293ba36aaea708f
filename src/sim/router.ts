/**
 * Routes, Okta errors and cursor paging shared by the endpoint modules.
 */
import type { Collection, Sequenced } from './collection.js';
import type { SimOrg } from './org-state.js';
import type { SimWorld } from './provisioning.js';
import type { BucketId } from './types.js';

/** What a route touches; an OAuth principal needs `okta.<resource>.read|manage`. */
export type Resource = 'apps' | 'users' | 'groups' | 'schemas' | 'self' | 'clients' | 'appGrants' | 'roles' | 'idps' | 'apiTokens' | 'logs';

export interface Principal {
  kind: 'token' | 'oauth';
  /** Token owner (SSWS) — absent for service-app access tokens. */
  userId?: string;
  /** The service app an access token was issued to. */
  clientId?: string;
  scopes?: Set<string>;
}

export interface RequestContext {
  world: SimWorld;
  org: SimOrg;
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: unknown;
  principal: Principal | undefined;
  /** Raw body, for form-encoded endpoints. */
  rawBody: string;
  /** The request's `DPoP` header (RFC 9449), when it has one. */
  dpop?: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface RouteSpec {
  method: string;
  template: string;
  bucket: BucketId;
  /** `none`: no auth (OAuth token endpoint). */
  resource: Resource | 'none';
  write: boolean;
  handler: Handler;
}

export interface Route extends RouteSpec {
  segments: string[];
}

export function compileRoutes(specs: RouteSpec[]): Route[] {
  return specs.map((s) => ({ ...s, segments: s.template.split('/').slice(1) }));
}

export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { allowed: string[] } {
  const parts = path.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i]!;
      if (seg.startsWith('{')) params[seg.slice(1, -1)] = decodeURIComponent(parts[i]!);
      else if (seg !== parts[i]) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    return { route, params };
  }
  return { allowed };
}

let errorCounter = 0;

/** An Okta error response: `{errorCode, errorSummary, errorLink, errorId, errorCauses}`. */
export class OktaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly summary: string,
    readonly causes: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(summary);
  }

  body(): Record<string, unknown> {
    return {
      errorCode: this.code,
      errorSummary: this.summary,
      errorLink: this.code,
      errorId: `oaesim${(++errorCounter).toString(36).padStart(16, '0')}`,
      errorCauses: this.causes.map((errorSummary) => ({ errorSummary })),
    };
  }
}

export const notFound = (what = 'Resource'): OktaError =>
  new OktaError(404, 'E0000007', `Not found: Resource not found: ${what} (${what})`);

export const invalid = (summary: string, causes: string[] = []): OktaError =>
  new OktaError(400, 'E0000001', `Api validation failed: ${summary}`, causes.length > 0 ? causes : [summary]);

/** Parses `limit` with the endpoint's default and cap (Okta clamps values above the cap). */
export function readLimit(query: URLSearchParams, fallback: number, cap: number, min = 1): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw invalid('limit', ['limit: must be an integer']);
  if (n < min) return fallback;
  return Math.min(n, cap);
}

/** One page of a collection, with Okta's `Link` headers (`self`, and `next` when more remain). */
export function pageReply<T extends Sequenced>(
  ctx: RequestContext,
  collection: Collection<T>,
  limits: { fallback: number; cap: number; min?: number },
  toJson: (item: T) => unknown,
  match?: (item: T) => boolean,
  subset?: Iterable<T>,
): Reply {
  const limit = readLimit(ctx.query, limits.fallback, limits.cap, limits.min);
  const after = ctx.query.get('after') ?? undefined;
  const { items, next } = subset ? collection.pageSubset(subset, after, limit) : collection.page(after, limit, match);
  const base = `${ctx.org.url}${ctx.path}`;
  const selfQuery = new URLSearchParams(ctx.query);
  const links = [`<${base}${selfQuery.size > 0 ? '?' + selfQuery.toString() : ''}>; rel="self"`];
  if (next !== undefined) {
    const nextQuery = new URLSearchParams(ctx.query);
    nextQuery.set('after', next);
    nextQuery.set('limit', String(limit));
    links.push(`<${base}?${nextQuery.toString()}>; rel="next"`);
  }
  return { status: 200, body: items.map(toJson), headers: { link: links.join(', ') } };
}

export function objectBody(ctx: RequestContext): Record<string, unknown> {
  const b = ctx.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw new OktaError(400, 'E0000003', 'The request body was not well-formed.');
  }
  return b as Record<string, unknown>;
}
