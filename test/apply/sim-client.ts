/**
 * The OktaClient apply's simulator tests talk through: the project's `createOktaClient` when it
 * exists, otherwise a plain fetch client (SSWS token, Okta error bodies, Link paging, no retries)
 * so that apply is exercised over HTTP either way.
 */
import type { HttpMethod, OktaClient, OktaResponse, Query, RequestOptions } from '../../src/okta/types.js';

type CreateOktaClient = (options: { org: string; baseUrl: string; auth: unknown; maxInFlight?: number }) => OktaClient;

let realFactory: CreateOktaClient | null | undefined;

async function loadRealFactory(): Promise<CreateOktaClient | null> {
  if (realFactory !== undefined) return realFactory;
  const specifier = '../../src/okta/client.js'; // a variable: the module may not exist yet
  try {
    const mod = (await import(specifier)) as { createOktaClient?: CreateOktaClient };
    realFactory = mod.createOktaClient ?? null;
  } catch {
    realFactory = null;
  }
  return realFactory;
}

export async function clientFor(org: string, baseUrl: string, token: string, maxInFlight = 40): Promise<OktaClient> {
  const factory = await loadRealFactory();
  if (factory) {
    const { Secret } = await import('../../src/config/secret.js');
    return factory({ org, baseUrl, auth: { kind: 'token', token: new Secret(`TEST_${org.toUpperCase()}_TOKEN`, token) }, maxInFlight });
  }
  return new FetchClient(org, baseUrl, token);
}

export function usingRealClient(): boolean {
  return realFactory != null;
}

class FetchClient implements OktaClient {
  constructor(
    readonly org: string,
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<OktaResponse<T>> {
    const url = new URL(path.startsWith('http') ? path : this.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', authorization: `SSWS ${this.token}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as T) : (undefined as T);
    if (!res.ok) {
      const error = body as { errorCode?: string; errorSummary?: string } | undefined;
      throw new Error(`${method} ${url.pathname}: ${res.status} ${error?.errorCode ?? ''} ${error?.errorSummary ?? ''}`.trim());
    }
    return { status: res.status, body, headers: res.headers };
  }

  async get<T = unknown>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).body;
  }

  async *pages<T = unknown>(path: string, query?: Query): AsyncGenerator<T[], void, undefined> {
    let next: string | undefined = path;
    let q: Query | undefined = { limit: 200, ...query };
    while (next) {
      const res: OktaResponse<T[]> = await this.request<T[]>('GET', next, q ? { query: q } : {});
      yield res.body;
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      q = undefined; // the next link carries the query
    }
  }

  rateLimits() {
    return [];
  }
}
