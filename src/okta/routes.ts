/**
 * What the client knows about Okta's endpoints: which rate-limit bucket a call counts against
 * (Okta's per-minute buckets, see docs/client.md) and the largest page each list endpoint serves.
 */
import type { HttpMethod } from './types.js';

const ID = '[^/]+';
const BUCKETS: { pattern: RegExp; bucket: string; methods?: HttpMethod[] }[] = [
  { pattern: /^\/oauth2\/v1\/token$/, bucket: 'oauth' },
  // The app object itself has its own bucket; everything below it shares "apps".
  { pattern: new RegExp(`^/api/v1/apps/${ID}$`), bucket: 'app' },
  { pattern: /^\/api\/v1\/apps(\/.*)?$/, bucket: 'apps' },
  { pattern: /^\/api\/v1\/users$/, bucket: 'users' },
  { pattern: /^\/api\/v1\/users\/.+$/, bucket: 'user' },
  { pattern: /^\/api\/v1\/groups$/, bucket: 'groups' },
  { pattern: /^\/api\/v1\/groups\/.+$/, bucket: 'group' },
];

/** The Okta rate-limit bucket of a call (path without query). Unknown paths share "default". */
export function classifyBucket(method: HttpMethod, path: string): string {
  for (const b of BUCKETS) {
    if (b.methods && !b.methods.includes(method)) continue;
    if (b.pattern.test(path)) return b.bucket;
  }
  return 'default';
}

const PAGE_SIZES: { pattern: RegExp; limit: number }[] = [
  { pattern: new RegExp(`^/api/v1/apps/${ID}/users$`), limit: 500 },
  { pattern: new RegExp(`^/api/v1/apps/${ID}/groups$`), limit: 200 },
  { pattern: new RegExp(`^/api/v1/apps/${ID}/group-push/mappings$`), limit: 1000 },
  { pattern: /^\/api\/v1\/apps$/, limit: 200 },
  { pattern: /^\/api\/v1\/users$/, limit: 200 },
  { pattern: /^\/api\/v1\/groups$/, limit: 200 },
  { pattern: new RegExp(`^/api/v1/groups/${ID}/users$`), limit: 1000 },
];

/** The largest page a list endpoint serves, or undefined when the client doesn't know it. */
export function largestPage(path: string): number | undefined {
  return PAGE_SIZES.find((p) => p.pattern.test(path))?.limit;
}

/** Query parameters whose values are secrets and must never be logged. */
const SECRET_PARAMS = /^(token|access_token|client_assertion|client_secret|password|sessiontoken|id_token|assertion|code)$/i;

/** A path + query fit for logs and messages: secret-carrying query values are masked. */
export function describePath(url: URL): string {
  if (!url.search) return url.pathname;
  const params = [...url.searchParams].map(([k, v]) => `${k}=${SECRET_PARAMS.test(k) ? '(sensitive)' : v}`);
  return `${url.pathname}?${params.join('&')}`;
}

/** Segments after these name one object of the collection (an id): `/api/v1/apps/{id}/users`. */
const COLLECTIONS = new Set(['apps', 'users', 'groups', 'mappings', 'roles']);

/** The route of a path, ids replaced by `{id}`: requests of one route are alike in cost. */
export function routeOf(method: HttpMethod, path: string): string {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) if (COLLECTIONS.has(parts[i - 1]!) && parts[i] !== '') parts[i] = '{id}';
  return `${method} ${parts.join('/')}`;
}
