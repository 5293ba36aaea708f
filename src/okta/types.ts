/**
 * The Okta client's contract, used by src/state (reads), src/apply (writes) and `check`.
 * Implementation: ./client.ts (`createOktaClient`). Okta's JSON shapes pass through it untyped
 * (callers type what they read); src/state normalizes them.
 */
import type { OrgAuth } from '../credentials.js';
import type { HeaderReader } from './transport.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /**
   * Safe to send again after a failure where the server may have acted (5xx, reset after send).
   * GET/PUT/DELETE are idempotent by default; a POST only when the caller says so.
   */
  idempotent?: boolean;
}

export interface ListOptions {
  /** The list finishes a read that others wait on (the last link of its longest chain). */
  urgent?: boolean;
}

export interface OktaResponse<T> {
  status: number;
  body: T;
  headers: HeaderReader;
}

/**
 * Why a request waits: this run's share of a bucket is spent (`budget`), Okta answered 429 for the
 * bucket (`429`), or Okta's concurrency limit for the org was hit (`concurrency`, a short back-off
 * rather than a wait for the bucket's reset).
 */
export type RateLimitReason = 'budget' | '429' | 'concurrency';

/** Progress the client reports, for the terminal UI and --debug. Never contains secrets. */
export type ClientEvent =
  | { type: 'request'; org: string; method: HttpMethod; path: string; bucket: string }
  | {
      type: 'response';
      org: string;
      method: HttpMethod;
      path: string;
      status: number;
      ms: number;
      bucket: string;
      remaining?: number;
      limit?: number;
    }
  | { type: 'rate-limit-wait'; org: string; bucket: string; until: number; reason: RateLimitReason }
  /** The adaptive in-flight limit changed: grown on clean answers, or cut on a concurrency 429 or a latency rise. */
  | { type: 'concurrency'; org: string; limit: number; reason: 'grow' | 'concurrency-429' | 'latency' }
  /** `rateLimit` is set when the retry waits out a 429, which the UI already shows as a wait. */
  | {
      type: 'retry';
      org: string;
      method: HttpMethod;
      path: string;
      attempt: number;
      reason: string;
      delayMs: number;
      rateLimit?: Exclude<RateLimitReason, 'budget'>;
    };

export interface OktaClientOptions {
  /** Name used in messages: the spoke's name or "hub". */
  org: string;
  baseUrl: string;
  /** Where baseUrl came from (config field and variables), named when the org can't be reached. */
  urlSource?: string;
  auth: OrgAuth;
  /** Share (0–1] of each rate-limit bucket this run may use. Default 0.5. */
  maxApiCapacity?: number;
  /**
   * Ceiling of requests in flight to this org (`--max-in-flight`). Default 32, under half of
   * Okta's usual per-org limit of 75. Below it the limit adapts: it starts at 16, grows while
   * answers are clean, and is cut on a concurrency 429 or a latency rise.
   */
  maxInFlight?: number;
  /** Adapt the in-flight limit (default true); false holds it at `maxInFlight`. */
  adaptiveConcurrency?: boolean;
  /** Bounded retries for 429/5xx/resets/timeouts. Default 6. */
  maxRetries?: number;
  /** Deadline for one attempt in ms, the whole answer included. Default 30000. */
  timeoutMs?: number;
  /**
   * One logical request's time across all its attempts and back-offs (waits for a rate-limit
   * window excluded: those are pacing, and bounded on their own): a server that drips or hangs
   * can't hold a request for minutes through its retries. Default 45 s.
   */
  requestDeadlineMs?: number;
  /** Longest rate-limit wait (or Retry-After) accepted; a longer one is a clear error. Default 120000. */
  maxRateLimitWaitMs?: number;
  /** Pages one list may have before reading stops with an error. Default 10000. */
  maxPages?: number;
  /** Largest answer read, in bytes. Default 32 MiB. */
  maxResponseBytes?: number;
  onEvent?: (event: ClientEvent) => void;
  /** Log each call (method, path, status, ms, remaining budget) — secrets masked. Default: ORG2ORG_DEBUG=1. */
  debug?: boolean;
  /** Where debug lines go (default: stderr). */
  log?: (line: string) => void;
  /** First retry backoff in ms, doubled per attempt (jittered). Default 250. */
  retryBaseMs?: number;
  /** Injectable clock and randomness, for tests. */
  now?: () => number;
  random?: () => number;
  /**
   * Ctrl-C: once aborted, requests not yet sent (queued for a slot or a rate-limit window, or
   * waiting to retry) fail with InterruptedError; reads in flight are cut off at once, writes after a 2 s grace.
   */
  signal?: AbortSignal;
}

export interface OktaClient {
  readonly org: string;
  readonly baseUrl: string;
  /** One logical request (retries included). Throws OktaApiError for a non-2xx final answer. */
  request<T = unknown>(method: HttpMethod, path: string, options?: RequestOptions): Promise<OktaResponse<T>>;
  /** GET and return the body. */
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  /**
   * Pages of a list endpoint: follows `Link: <…>; rel="next"` (same origin only), asks for the
   * endpoint's largest page unless `query.limit` is given, and yields each page as it arrives.
   * `urgent`: the list's first page goes ahead of other queued requests too (its next pages always do).
   */
  pages<T = unknown>(path: string, query?: Query, options?: ListOptions): AsyncGenerator<T[], void, undefined>;
  /** What the client has learnt of the org's buckets so far. */
  rateLimits(): RateLimitSnapshot[];
  /** Requests allowed in flight now, the highest allowed so far, and the ceiling. */
  concurrency?(): { limit: number; peak: number; ceiling: number };
  /** How it authenticates: an API token (SSWS), or a service app's Bearer or DPoP-bound token (known once one was issued). */
  authMode?(): 'SSWS' | 'Bearer' | 'DPoP' | undefined;
}

/** One rate-limit bucket as last seen in response headers. */
export interface RateLimitSnapshot {
  /** Okta bucket id, e.g. `apps` (all of /api/v1/apps/*). */
  bucket: string;
  limit: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}
