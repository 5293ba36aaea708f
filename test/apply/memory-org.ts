/**
 * An in-memory Spoke org behind the OktaClient interface, for apply's tests until they can run
 * against the simulator over HTTP. It keeps Okta's rules that apply must respect (delete a push
 * mapping only when INACTIVE, `deleteTargetGroup` required, app ids that exist) and counts calls
 * and concurrency. Every request yields to the event loop, so concurrent calls really overlap.
 */
import { OktaApiError } from '../../src/okta/errors.js';
import type { HttpMethod, OktaClient, OktaResponse, Query, RequestOptions } from '../../src/okta/types.js';

export interface RecordedCall {
  method: HttpMethod;
  path: string;
  query: Query;
  body: unknown;
}

interface AppUserRecord {
  id: string;
  scope: string;
  status: string;
  syncState: string;
  credentials: { userName: string };
  profile: Record<string, unknown>;
}

export class MemoryOrg implements OktaClient {
  readonly baseUrl = 'http://127.0.0.1:9';
  readonly calls: RecordedCall[] = [];
  inFlight = 0;
  peakInFlight = 0;
  apps = new Map<string, { id: string; label: string; users: Map<string, AppUserRecord>; groups: Map<string, unknown>; mappings: Map<string, { id: string; sourceGroupId: string; status: string; lastPush?: string }>; connection?: unknown; features: Record<string, unknown> }>();
  /** `METHOD path` (path exact) → error message to fail with, once per entry in the list. */
  faults: { method: HttpMethod; path: string; message: string }[] = [];
  /** Directory: users and groups of this org (the Hub's, in wait tests). */
  users = new Map<string, { id: string; status: string; profile: { login: string } }>();
  /** Logins that user searches don't find yet (Okta's search index trailing a write); a GET by login does. */
  searchLag = new Set<string>();
  groups = new Map<string, { id: string; profile: { name: string }; members: Set<string> }>();
  #nextId = 1;

  constructor(readonly org: string) {}

  addApp(id: string, label = 'Acme Hub'): void {
    this.apps.set(id, { id, label, users: new Map(), groups: new Map(), mappings: new Map(), features: {} });
  }

  addMapping(appId: string, id: string, sourceGroupId: string, status: string): void {
    // Like real Okta, a new mapping has no lastPush until members are pushed.
    this.apps.get(appId)!.mappings.set(id, { id, sourceGroupId, status });
  }

  callsMatching(method: HttpMethod, pattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path));
  }

  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<OktaResponse<T>> {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      this.calls.push({ method, path, query: options.query ?? {}, body: options.body });
      const fault = this.faults.findIndex((f) => f.method === method && f.path === path);
      if (fault >= 0) {
        const [injected] = this.faults.splice(fault, 1);
        throw new Error(injected!.message);
      }
      const body = this.#route(method, path, options);
      return { status: body === undefined ? 204 : 200, body: body as T, headers: new Headers() };
    } finally {
      this.inFlight--;
    }
  }

  async get<T = unknown>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).body;
  }

  async *pages<T = unknown>(path: string, query?: Query): AsyncGenerator<T[], void, undefined> {
    yield await this.get<T[]>(path, query);
  }

  rateLimits() {
    return [];
  }

  #route(method: HttpMethod, path: string, options: RequestOptions): unknown {
    const body = (options.body ?? {}) as Record<string, unknown>;
    const parts = path.split('/').slice(4).map(decodeURIComponent); // after /api/v1/apps
    if (method === 'GET' && path === '/api/v1/users') {
      const logins = searchValues(options.query?.search, 'profile.login').map((l) => l.toLowerCase());
      return [...this.users.values()].filter((u) => logins.includes(u.profile.login.toLowerCase()) && !this.searchLag.has(u.profile.login.toLowerCase()));
    }
    const byLogin = /^\/api\/v1\/users\/([^/]+)$/.exec(path);
    if (method === 'GET' && byLogin) {
      const key = decodeURIComponent(byLogin[1]!).toLowerCase();
      const user = [...this.users.values()].find((u) => u.id === key || u.profile.login.toLowerCase() === key);
      if (!user) throw new OktaApiError({ org: this.org, method, path, status: 404, errorCode: 'E0000007', causes: [], bucket: 'user' }, '');
      return user;
    }
    if (method === 'GET' && path === '/api/v1/groups') {
      const names = searchValues(options.query?.search, 'profile.name');
      return [...this.groups.values()].filter((g) => names.includes(g.profile.name)).map(({ id, profile }) => ({ id, profile }));
    }
    const members = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path);
    if (method === 'GET' && members) {
      const group = [...this.groups.values()].find((g) => g.id === decodeURIComponent(members[1]!));
      if (!group) throw new Error('E0000007 group not found');
      return [...this.users.values()].filter((u) => group.members.has(u.id));
    }
    if (!path.startsWith('/api/v1/apps')) throw new Error(`E0000007 not found: ${path}`);
    if (parts.length === 0) {
      if (method === 'GET') return [...this.apps.values()].map((a) => ({ id: a.id, name: 'okta_org2org', label: a.label, status: 'ACTIVE' }));
      if (method !== 'POST') throw new Error('unsupported');
      const id = `0oaNEW${this.#nextId++}`;
      this.addApp(id, String(body.label));
      return { id, label: body.label, status: options.query?.activate ? 'ACTIVE' : 'INACTIVE' };
    }
    const app = this.apps.get(parts[0]!);
    if (!app) throw new Error(`E0000007 Not found: Resource not found: ${parts[0]} (AppInstance)`);
    const [, collection, itemId, extra] = parts;
    switch (collection) {
      case 'users': {
        if (method === 'GET') return [...app.users.values()];
        if (method === 'POST' && itemId === undefined) {
          const id = String(body.id);
          const record: AppUserRecord = {
            id,
            scope: String(body.scope),
            status: 'PROVISIONED',
            syncState: 'SYNCHRONIZED',
            credentials: body.credentials as { userName: string },
            profile: body.profile as Record<string, unknown>,
          };
          app.users.set(id, record);
          return record;
        }
        if (method === 'POST') {
          const record = app.users.get(itemId!);
          if (!record) throw new Error('E0000007 not assigned');
          record.profile = { ...record.profile, ...(body.profile as object) };
          return record;
        }
        if (method === 'DELETE') {
          if (!app.users.delete(itemId!)) throw new Error('E0000007 not assigned');
          return undefined;
        }
        break;
      }
      case 'groups':
        if (method === 'PUT') {
          app.groups.set(itemId!, body);
          return body;
        }
        if (method === 'DELETE') {
          app.groups.delete(itemId!);
          return undefined;
        }
        break;
      case 'features':
        if (method === 'PUT') {
          app.features[itemId!] = body;
          return { name: itemId, status: 'ENABLED', capabilities: body };
        }
        break;
      case 'connections':
        if (method === 'POST') {
          app.connection = extra === 'lifecycle' ? app.connection : body;
          return extra === 'lifecycle' ? undefined : { status: options.query?.activate ? 'ENABLED' : 'DISABLED' };
        }
        break;
      case 'group-push': {
        const mappingId = extra;
        if (method === 'POST' && mappingId === undefined) {
          const id = `gpm${this.#nextId++}`;
          const mapping = { id, sourceGroupId: String(body.sourceGroupId), status: String(body.status), ...(body.status === 'ACTIVE' ? { lastPush: 'now' } : {}) };
          app.mappings.set(id, mapping);
          return mapping;
        }
        if (method === 'GET') return [...app.mappings.values()];
        const mapping = app.mappings.get(mappingId!);
        if (!mapping) throw new Error('E0000007 mapping not found');
        if (method === 'PATCH') {
          mapping.status = String(body.status);
          return mapping;
        }
        if (method === 'DELETE') {
          if (options.query?.deleteTargetGroup === undefined) throw new Error('E0000001 deleteTargetGroup is required');
          if (mapping.status !== 'INACTIVE') throw new Error('E0000001 Api validation failed: the mapping must be INACTIVE to be deleted');
          app.mappings.delete(mappingId!);
          return undefined;
        }
        break;
      }
      case 'lifecycle':
        return undefined;
      default:
        if (collection === undefined && method === 'PUT') return body;
    }
    throw new Error(`unsupported in MemoryOrg: ${method} ${path}`);
  }
}

/** Values of `field eq "…"` clauses in an Okta search expression (OR-ed clauses only). */
function searchValues(search: unknown, field: string): string[] {
  if (typeof search !== 'string') throw new Error('E0000001 search is required here');
  const values: string[] = [];
  for (const clause of search.split(' or ')) {
    const match = /^(\S+) eq (".*")$/.exec(clause.trim());
    if (!match || match[1] !== field) throw new Error(`E0000001 Invalid search: ${clause}`);
    values.push(JSON.parse(match[2]!) as string);
  }
  return values;
}
