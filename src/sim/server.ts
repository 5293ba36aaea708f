/**
 * One org's HTTP server: routing, auth (SSWS and Bearer), rate-limit buckets and the
 * concurrency limit (429 E0000047), latency and fault injection, and request statistics.
 *
 * Time: rate-limit windows are real-time windows of 60 s / timeScale. `Date` is real time and
 * `X-Rate-Limit-Reset` is the real epoch second at which the window ends (rounded up), so a
 * client computing `Reset - Date` waits the real remaining window whatever the scale.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjector } from './faults.js';
import type { SimOrg } from './org-state.js';
import type { SimWorld } from './provisioning.js';
import { logWrite, requestActing } from './system-log.js';
import { actingAs, logSessionStart } from './log-events.js';
import { ConsoleError, consoleChange, type ConsoleChange, type ConsoleSim } from './console.js';
import { matchRoute, OktaError, type Principal, type Reply, type Route } from './router.js';
import type { AdminRole, BucketId, SimStats } from './types.js';
import { verifyDpopProof } from './dpop.js';
import { DEFAULT_RATE_LIMITS } from './types.js';
import { simNow } from './clock.js';

export interface ServerSettings {
  latencyMs: number;
  jitterMs: number;
  timeScale: number;
  rateLimits: Record<BucketId, number>;
  concurrencyLimit: number;
  faults: FaultInjector;
  rng: () => number;
  /** Epoch ms at which the first window of every bucket started. */
  epoch: number;
}

interface BucketState {
  window: number;
  used: number;
}

const RATE_LIMIT_SUMMARY = 'API call exceeded rate limit due to too many requests.';
const MAX_BODY = 5 * 1024 * 1024;

const READ_ROLES: AdminRole[] = ['SUPER_ADMIN', 'ORG_ADMIN', 'APP_ADMIN', 'USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN', 'READ_ONLY_ADMIN'];
const WRITE_ROLES: Record<string, AdminRole[]> = {
  apps: ['SUPER_ADMIN', 'ORG_ADMIN', 'APP_ADMIN'],
  users: ['SUPER_ADMIN', 'ORG_ADMIN', 'USER_ADMIN'],
  groups: ['SUPER_ADMIN', 'ORG_ADMIN', 'USER_ADMIN', 'GROUP_MEMBERSHIP_ADMIN'],
  schemas: ['SUPER_ADMIN', 'ORG_ADMIN'],
  clients: ['SUPER_ADMIN', 'ORG_ADMIN', 'APP_ADMIN'],
  appGrants: ['SUPER_ADMIN', 'ORG_ADMIN', 'APP_ADMIN'],
  // Okta: only a Super Administrator may assign admin roles.
  roles: ['SUPER_ADMIN'],
  idps: ['SUPER_ADMIN', 'ORG_ADMIN'],
};

/**
 * Reads only some roles may make. API token metadata: the spec asks `okta.apiTokens.read` of a
 * service app; which admin roles may list tokens (and whether they then see others' tokens) is
 * UNKNOWN, so the simulator lets only a Super Administrator read them and answers 403 otherwise.
 */
const READ_ROLES_OF: Record<string, AdminRole[]> = {
  apiTokens: ['SUPER_ADMIN'],
};

export function emptyStats(): SimStats {
  return { total: 0, byRoute: {}, status429: 0, peakInFlight: 0 };
}

export class OrgServer {
  readonly server: Server;
  stats: SimStats = emptyStats();
  private inFlight = 0;
  private readonly buckets = new Map<BucketId, BucketState>();

  constructor(
    readonly org: SimOrg,
    private readonly world: SimWorld,
    private readonly routes: Route[],
    private readonly settings: ServerSettings,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.write(res, {
            status: 500,
            body: new OktaError(500, 'E0000009', 'Internal Server Error', [String((err as Error)?.message ?? err)]).body(),
          });
        }
      });
    });
    // Longer than a test's synchronous pauses (loading the OpenAPI spec takes seconds on a busy machine): a server
    // that closes an idle socket while its client's timers are blocked makes the client's next request ECONNRESET.
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  resetStats(): void {
    this.stats = emptyStats();
    this.stats.peakInFlight = this.inFlight;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.org.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '') || '/';

    if (path.startsWith('/__sim/')) return this.handleControl(method, path, req, res);

    const found = matchRoute(this.routes, method, path);
    const route = 'route' in found ? found.route : undefined;
    const key = `${method} ${route ? route.template : path}`;
    this.stats.total++;
    this.stats.byRoute[key] = (this.stats.byRoute[key] ?? 0) + 1;

    this.inFlight++;
    if (this.inFlight > this.stats.peakInFlight) this.stats.peakInFlight = this.inFlight;
    try {
      const bucket = route?.bucket ?? 'default';
      if (this.inFlight > this.settings.concurrencyLimit) {
        return this.tooMany(res, bucket);
      }
      if (!this.take(bucket)) return this.tooMany(res, bucket);

      const faults = this.settings.faults.pick(this.org.name, method, path, route?.template);
      const extra = faults.reduce((ms, f) => (f.kind === 'slow' ? ms + (f.delayMs ?? 1000) : ms), 0);
      const delay = this.settings.latencyMs + this.settings.rng() * this.settings.jitterMs + extra;
      const rawBody = await readBody(req);
      const barrier = faults.find((f) => f.kind === 'barrier');
      if (barrier) await this.settings.faults.arrive(barrier);
      if (delay > 0) await sleep(delay);
      if (faults.some((f) => f.kind === 'reset')) {
        req.socket.destroy();
        return;
      }
      const failure = faults.find((f) => f.kind === 'error');
      if (failure) {
        const status = failure.status ?? 500;
        return this.write(
          res,
          { status, body: new OktaError(status, 'E0000009', status === 503 ? 'Service Unavailable' : 'Internal Server Error').body() },
          bucket,
        );
      }
      if (!route) {
        const reply =
          'allowed' in found && found.allowed.length > 0
            ? {
                status: 405,
                body: new OktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method').body(),
                headers: { allow: found.allowed.join(', ') },
              }
            : { status: 404, body: new OktaError(404, 'E0000007', `Not found: Resource not found: ${path} (Resource)`).body() };
        return this.write(res, reply, bucket);
      }
      const principal = route.resource === 'none' ? undefined : this.authenticate(req);
      if (route.resource !== 'none') this.authorize(principal!, route);
      let body: unknown;
      const type = req.headers['content-type'] ?? '';
      if (rawBody.length > 0 && !type.includes('application/x-www-form-urlencoded')) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          throw new OktaError(400, 'E0000003', 'The request body was not well-formed.');
        }
      }
      const ctx = {
        world: this.world,
        org: this.org,
        method,
        path,
        query: url.searchParams,
        params: 'params' in found ? found.params : {},
        body,
        principal,
        rawBody,
        ...(typeof req.headers.dpop === 'string' ? { dpop: req.headers.dpop } : {}),
      };
      const consoleActor = req.headers['x-org2org-sim-console'];
      // Handlers are synchronous: every write they make (and every side effect) is logged as this request's actor's.
      const acting = requestActing(ctx, typeof consoleActor === 'string' ? consoleActor : undefined);
      if (acting.console && req.headers['x-org2org-sim-console-session'] === 'start') logSessionStart(this.org, acting);
      const logged = actingAs(acting, () => logWrite(ctx, route));
      const reply = await actingAs(acting, () => route.handler(ctx));
      logged(reply);
      this.write(res, reply, bucket);
    } catch (err) {
      if (err instanceof OktaError)
        this.write(res, { status: err.status, body: err.body(), headers: err.headers }, route?.bucket ?? 'default');
      else throw err;
    } finally {
      this.inFlight--;
    }
  }

  private async handleControl(method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'POST' && path === '/__sim/console') return this.handleConsole(req, res);
    req.resume();
    if (method === 'GET' && path === '/__sim/stats') return this.write(res, { status: 200, body: this.stats });
    if (method === 'POST' && path === '/__sim/reset') {
      this.resetStats();
      return this.write(res, { status: 204 });
    }
    this.write(res, { status: 404, body: new OktaError(404, 'E0000007', 'Not found: Resource not found: (sim control)').body() });
  }

  /**
   * `POST /__sim/console` `{ "unassignUser": "bob@acme.com", "actor"?: LOGIN, "app"?: LABEL }`: one console change in this
   * org (src/sim/console.ts), for a demo run from another terminal; 204, or 400 with what Okta refused.
   */
  private async handleConsole(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return this.write(res, { status: 400, body: { error: 'the body must be a JSON object: one console change' } });
    }
    const { actor, app, ...change } = body;
    const world = this.world;
    const sim: ConsoleSim = {
      orgs: Object.fromEntries([...world.orgs].map(([name, org]) => [name, { url: org.url }])),
      org: (name) => world.orgs.get(name)!,
    };
    try {
      await consoleChange(sim, this.org.name, change as ConsoleChange, {
        ...(typeof actor === 'string' ? { actor } : {}),
        ...(typeof app === 'string' ? { app } : {}),
      });
      this.write(res, { status: 204 });
    } catch (err) {
      if (!(err instanceof ConsoleError)) throw err;
      this.write(res, { status: 400, body: { error: err.message } });
    }
  }

  private authenticate(req: IncomingMessage): Principal {
    const header = req.headers.authorization ?? '';
    const [scheme, value] = header.split(/\s+/, 2);
    if (scheme === 'SSWS' && value) {
      const grant = this.org.liveToken(value, true);
      if (grant) return { kind: 'token', userId: grant.userId };
    } else if ((scheme === 'Bearer' || scheme === 'DPoP') && value) {
      const grant = this.org.accessTokens.get(value);
      // A DPoP-bound token is used only as `DPoP …` with a proof by its key (RFC 9449 §7); a Bearer token only as Bearer.
      if (grant && grant.expiresAt > simNow() && (grant.jkt !== undefined) === (scheme === 'DPoP')) {
        if (grant.jkt === undefined) return { kind: 'oauth', clientId: grant.clientId, scopes: grant.scopes };
        const url = new URL(req.url ?? '/', this.org.url);
        const proof = verifyDpopProof(typeof req.headers.dpop === 'string' ? req.headers.dpop : undefined, {
          method: (req.method ?? 'GET').toUpperCase(),
          url: `${this.org.url}${url.pathname}`,
          accessToken: value,
          usedJtis: this.org.usedJtis,
        });
        if (typeof proof !== 'string' && proof.jkt === grant.jkt) return { kind: 'oauth', clientId: grant.clientId, scopes: grant.scopes };
        throw new OktaError(401, 'E0000011', 'Invalid token provided', [], {
          'www-authenticate': `DPoP algs="ES256 RS256", error="invalid_dpop_proof", error_description="${typeof proof === 'string' ? proof : 'The DPoP proof is not by the key the token is bound to.'}"`,
        });
      }
    }
    throw new OktaError(401, 'E0000011', 'Invalid token provided', [], {
      'www-authenticate':
        scheme === 'Bearer' || scheme === 'DPoP'
          ? `${scheme} authorization_uri="", realm="", scope="", error="invalid_token", error_description="The token is not valid."`
          : '',
    });
  }

  private authorize(principal: Principal, route: Route): void {
    if (route.resource === 'self' || route.resource === 'none') return;
    let allowed: boolean;
    const accepted = route.write ? (WRITE_ROLES[route.resource] ?? []) : (READ_ROLES_OF[route.resource] ?? READ_ROLES);
    if (principal.kind === 'oauth') {
      // A service app needs both: the scope granted (and asked for) and an admin role that allows the call.
      const scopes = principal.scopes ?? new Set<string>();
      const manage = `okta.${route.resource}.manage`;
      const read = `okta.${route.resource}.read`;
      const scoped = route.write
        ? scopes.has(manage)
        : scopes.has(manage) ||
          scopes.has(read) ||
          (route.resource === 'schemas' && (scopes.has('okta.apps.read') || scopes.has('okta.apps.manage')));
      const roles =
        this.org
          .oauthClient(principal.clientId ?? '')
          ?.roles.values()
          .map((r) => r.type) ?? [];
      allowed = scoped && roles.some((r) => accepted.includes(r));
    } else {
      const roles = this.org.users.get(principal.userId!)?.roles ?? [];
      allowed = roles.some((r) => accepted.includes(r));
    }
    if (!allowed) throw new OktaError(403, 'E0000006', 'You do not have permission to perform the requested action', []);
  }

  private windowMs(): number {
    return 60_000 / this.settings.timeScale;
  }

  private bucketState(bucket: BucketId): BucketState {
    const window = Math.floor((simNow() - this.settings.epoch) / this.windowMs());
    let state = this.buckets.get(bucket);
    if (!state) {
      state = { window, used: 0 };
      this.buckets.set(bucket, state);
    } else if (state.window !== window) {
      state.window = window;
      state.used = 0;
    }
    return state;
  }

  private take(bucket: BucketId): boolean {
    const state = this.bucketState(bucket);
    if (state.used >= this.settings.rateLimits[bucket]) return false;
    state.used++;
    return true;
  }

  private rateHeaders(bucket: BucketId): Record<string, string> {
    const state = this.bucketState(bucket);
    const limit = this.settings.rateLimits[bucket] ?? DEFAULT_RATE_LIMITS.default;
    const resetMs = this.settings.epoch + (state.window + 1) * this.windowMs();
    return {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(Math.max(0, limit - state.used)),
      'x-rate-limit-reset': String(Math.ceil(resetMs / 1000)),
    };
  }

  private tooMany(res: ServerResponse, bucket: BucketId): void {
    this.stats.status429++;
    this.write(res, { status: 429, body: new OktaError(429, 'E0000047', RATE_LIMIT_SUMMARY).body() }, bucket);
  }

  private write(res: ServerResponse, reply: Reply, bucket?: BucketId): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      // The simulator's clock, which a test may have moved ahead of real time.
      date: new Date(simNow()).toUTCString(),
      ...(bucket ? this.rateHeaders(bucket) : {}),
      'x-okta-request-id': `sim-${Math.floor(this.settings.rng() * 1e12).toString(36)}`,
      ...Object.fromEntries(Object.entries(reply.headers ?? {}).filter(([, v]) => v !== '')),
    };
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const payload = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new OktaError(413, 'E0000003', 'The request body was too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
