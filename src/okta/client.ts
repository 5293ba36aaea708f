/**
 * createOktaClient: one org's management API over node:http(s) (src/okta/transport.ts) — credentials, the rate-limit
 * scheduler, bounded retries that never resend an unsafe request, Link paging that stays on
 * the org's origin, Okta errors turned into OktaApiError, and --debug logging without secrets.
 */
import { isLoopback } from '../loopback.js';
import { parseUrl } from '../org-url.js';
import { InterruptedError, Org2OrgError } from '../errors.js';
import { USER_AGENT } from '../version.js';
import { holdSecret, type OrgAuth } from '../credentials.js';
import {
  CLIENT_ASSERTION_TYPE,
  dpopProof,
  newDpopKey,
  readServiceAppKey,
  signClientAssertion,
  usableUntil,
  type AccessToken,
  type DpopKey,
  type ServiceAppKey,
} from './auth.js';
import { OktaApiError, adviceFor, type OktaApiErrorDetails, type OktaErrorBody } from './errors.js';
import { classifyBucket, describePath, largestPage, routeOf } from './routes.js';
import { pageChain } from './page-chain.js';
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_WAIT_MS, RateLimitScheduler, limitHit, type RateObservation } from './scheduler.js';
import { Aborted, AnswerTooLarge, TimedOut, createTransport, type HeaderReader, type Transport } from './transport.js';
import type {
  ClientEvent,
  HttpMethod,
  ListOptions,
  OktaClient,
  OktaClientOptions,
  OktaResponse,
  Query,
  RateLimitSnapshot,
  RequestOptions,
} from './types.js';

export { OktaApiError } from './errors.js';

/**
 * Failures that say the org can't be reached at all, and how many times each is retried: a host
 * that DNS doesn't know won't appear in a few seconds (a typo'd URL), a temporary DNS failure or a
 * refused connection gets one more try. Once an org is unreachable, its other requests fail at
 * once instead of each spending its own retries.
 */
const UNREACHABLE_RETRIES: Record<string, number> = { ENOTFOUND: 0, EAI_AGAIN: 1, ECONNREFUSED: 1 };

/** Errors raised before the connection was made: the request provably never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Pages one list may have: far above any real org (100,000 users at 200 a page is 500 pages). */
const DEFAULT_MAX_PAGES = 10_000;
/** One request's attempts and back-offs together (see OktaClientOptions.requestDeadlineMs). */
const DEFAULT_REQUEST_DEADLINE_MS = 45_000;
/**
 * After Ctrl-C, a write in flight has this long to be answered before it is cut off: most are
 * answered within it, and an answered write's outcome is known. Reads are cut off at once.
 */
const WRITE_GRACE_MS = 2_000;
/** Largest answer read: a full page of users with big profiles is a few MB. */
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** One answer, read whole, with what its rate-limit headers said. */
interface Answer {
  status: number;
  text: string;
  headers: HeaderReader;
  observed: RateObservation;
}

type Fetched = { status: number; headers: HeaderReader; text: string; headersMs: number };

/** What the attempts of one logical request share. */
interface Tries {
  bucket: string;
  /** The request's route (ids replaced), for the adaptive limit's latency. */
  route: string;
  /** The path as messages show it. */
  shown: string;
  /** The request id of the first refused answer (sent with retries, as Okta's SDK does). */
  retryFor?: string;
  refreshedToken: boolean;
  /** A DPoP nonce was taken from an answer (`use_dpop_nonce`) and the request sent again: once. */
  nonceRetried?: boolean;
  /** The token endpoint asked for DPoP (`invalid_dpop_proof`) and org2org switched to it: once. */
  dpopSwitched?: boolean;
  /** Time spent in attempts and back-offs so far (rate-limit waits excluded). */
  spentMs: number;
  /** The last answer was a concurrency 429: the retry goes after the brief hold, not the window's budget. */
  afterConcurrency429?: boolean;
}

interface Outgoing {
  method: HttpMethod;
  url: URL;
  /** JSON body, or a form for the token endpoint. */
  body?: unknown;
  /** Built per attempt: a client assertion must not be replayed (its jti is single-use). */
  form?: () => URLSearchParams;
  idempotent: boolean;
  /** Token endpoint calls carry no Authorization header. */
  anonymous?: boolean;
  /** The next page of a list being read: served before requests that start something new. */
  urgent?: boolean;
  /** Told a 2xx answer's headers before its body is read (a list's next link). */
  onHeaders?: (headers: HeaderReader) => void;
}

export function createOktaClient(options: OktaClientOptions): OktaClient {
  return new Client(options);
}

class Client implements OktaClient {
  readonly org: string;
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly auth: OrgAuth;
  private readonly scheduler: RateLimitScheduler;
  private readonly maxRetries: number;
  /** Set when a request found the org unreachable (see UNREACHABLE_RETRIES). */
  private unreachable: OktaApiError | undefined;
  private readonly timeoutMs: number;
  private readonly requestDeadlineMs: number;
  /** Aborted WRITE_GRACE_MS after the Ctrl-C signal: what cuts off writes in flight. */
  private writeCutOff: AbortSignal | undefined;
  private readonly retryBaseMs: number;
  private readonly maxPages: number;
  private readonly maxResponseBytes: number;
  private readonly maxInFlight: number;
  private readonly capacity: number;
  private readonly debug: ((line: string) => void) | undefined;
  private accessToken: AccessToken | undefined;
  private pendingToken: Promise<AccessToken> | undefined;
  private serviceAppKey: ServiceAppKey | undefined;
  /** This run's DPoP key, once the service app is known to need DPoP (config, or Okta's answer). */
  private dpop: DpopKey | undefined;
  /** Nonces Okta gave (`DPoP-Nonce`), for the token endpoint and for API calls. */
  private dpopNonce: { token?: string; api?: string } = {};
  private readonly transport: Transport;

  constructor(private readonly options: OktaClientOptions) {
    this.org = options.org;
    const base = parseBaseUrl(options.org, options.baseUrl);
    this.baseUrl = base.origin;
    this.origin = base.origin;
    this.auth = options.auth;
    // Set in the config: proofs from the first token request on (else switched on by Okta's answer).
    if (options.auth.kind === 'oauth' && options.auth.dpop === true) this.dpop = newDpopKey();
    const debugOn = options.debug ?? process.env.ORG2ORG_DEBUG === '1';
    const capacity = options.maxApiCapacity ?? 0.5;
    if (!(capacity > 0 && capacity <= 1)) throw new Org2OrgError(`--max-api-capacity must be a share between 0 and 1 (got ${capacity}).`);
    this.capacity = capacity;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    // A few sockets over the ceiling: a slot is released just before its socket returns to the pool.
    this.transport = createTransport(base, this.maxInFlight + 4);
    this.scheduler = new RateLimitScheduler({
      org: options.org,
      capacity,
      maxInFlight: this.maxInFlight,
      maxWaitMs: options.maxRateLimitWaitMs ?? DEFAULT_MAX_WAIT_MS,
      ...(options.adaptiveConcurrency === false ? { adaptive: false } : {}),
      ...(options.onEvent || debugOn ? { onEvent: (e: ClientEvent) => this.onSchedulerEvent(e) } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.maxRetries = options.maxRetries ?? 6;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.requestDeadlineMs = options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.debug = debugOn ? (options.log ?? ((line) => process.stderr.write(line + '\n'))) : undefined;
    const stop = (): void => this.scheduler.stop(new InterruptedError(`${this.org}: interrupted: requests not yet sent were dropped.`));
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  }

  private onSchedulerEvent(e: ClientEvent): void {
    if (e.type === 'concurrency') this.debug?.(`[org2org] ${this.org} in-flight limit ${e.limit} (${e.reason})`);
    this.options.onEvent?.(e);
  }

  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<OktaResponse<T>> {
    const url = this.resolve(path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const idempotent = options.idempotent ?? method !== 'POST';
    const res = await this.send({ method, url, body: options.body, idempotent });
    return { status: res.status, body: parseJson(res.text) as T, headers: res.headers };
  }

  async get<T = unknown>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).body;
  }

  /** See pageChain: the next page is asked for as soon as this one's headers name it. */
  async *pages<T = unknown>(path: string, query: Query = {}, options: ListOptions = {}): AsyncGenerator<T[], void, undefined> {
    const listed = this.resolve(path);
    const first = this.resolve(path);
    const limit = query.limit ?? largestPage(first.pathname);
    for (const [k, v] of Object.entries({ ...query, ...(limit !== undefined ? { limit } : {}) }))
      if (v !== undefined) first.searchParams.set(k, String(v));
    yield* pageChain<T>({
      org: this.org,
      first,
      listed,
      urgent: options.urgent === true,
      maxPages: this.maxPages,
      get: (url, urgent, onHeaders) => this.send({ method: 'GET', url, idempotent: true, ...(urgent ? { urgent } : {}), onHeaders }),
      resolve: (link) => this.resolve(link),
      parse: parseJson,
    });
  }

  rateLimits(): RateLimitSnapshot[] {
    return this.scheduler.snapshot();
  }

  concurrency(): { limit: number; peak: number; ceiling: number } {
    return this.scheduler.concurrency();
  }

  /**
   * An absolute URL for a path or a next link; a link to any other origin is refused before
   * anything is sent. The check is on the URL as resolved, whatever the spelling: the URL parser
   * reads `/\\host`, `\\\\host` and `/<tab>/host` as `//host`, another origin.
   */
  private resolve(path: string): URL {
    let url: URL;
    try {
      url = new URL(path, `${this.origin}/`);
    } catch {
      throw new Org2OrgError(`${this.org}: refused to follow a malformed link from Okta.`);
    }
    if (url.origin !== this.origin || url.username !== '' || url.password !== '') {
      const shown = url.origin === 'null' ? url.protocol : url.origin;
      throw new Org2OrgError(
        `${this.org}: refused to follow a link to ${shown}, which is not this org's origin (${this.origin}); credentials are only ever sent to their own org.`,
      );
    }
    return url;
  }

  /** One logical request: scheduling, retries and the final answer or error. */
  private async send(out: Outgoing): Promise<Answer> {
    const tries: Tries = {
      bucket: classifyBucket(out.method, out.url.pathname),
      route: routeOf(out.method, out.url.pathname),
      shown: describePath(out.url),
      refreshedToken: false,
      spentMs: 0,
    };
    for (let attempt = 0; ; attempt++) {
      if (this.unreachable) throw this.unreachable;
      const answer = await this.exchange(out, tries, attempt);
      if (answer === 'retry') continue;
      const verdict = await this.judge(out, tries, attempt, answer);
      if (verdict === 'retry') continue;
      if (verdict === 'same attempt') {
        attempt--;
        continue;
      }
      return verdict;
    }
  }

  /**
   * One attempt, from a free slot to the whole answer read: the answer, or 'retry' after a network
   * failure that is safe to send again (the back-off already waited). Other failures throw.
   */
  private async exchange(out: Outgoing, tries: Tries, attempt: number): Promise<Answer | 'retry'> {
    const { bucket, shown } = tries;
    const authorization = out.anonymous ? undefined : await this.authorization();
    const release = await this.scheduler.acquire(bucket, out.urgent === true, tries.afterConcurrency429 === true);
    const { headers, payload } = requestHeaders(out, authorization, attempt, tries.retryFor);
    const proof = this.dpopProofFor(out);
    if (proof) headers.dpop = proof;
    this.options.onEvent?.({ type: 'request', org: this.org, method: out.method, path: shown, bucket });
    const started = this.scheduler.now();
    let fetched: Fetched;
    try {
      // The attempt gets what is left of the request's deadline, at most one attempt's timeout.
      const timeoutMs = Math.max(1, Math.min(this.timeoutMs, this.requestDeadlineMs - tries.spentMs));
      fetched = await this.fetchWhole(out, headers, payload, started, timeoutMs);
    } catch (err) {
      release();
      tries.spentMs += this.scheduler.now() - started;
      return this.failedExchange(out, tries, attempt, err, started);
    }
    tries.spentMs += this.scheduler.now() - started;
    const { status, text, headersMs } = fetched;
    const observed = readRateHeaders(fetched.headers);
    this.scheduler.observe(bucket, observed);
    const ms = this.scheduler.now() - started;
    // The adaptive limit judges Okta's latency by the time to the headers: reading a large body
    // also measures this process's own busy event loop, which more or fewer requests in flight won't change.
    release({ status, ms: headersMs, route: tries.route, observed });
    this.options.onEvent?.({
      type: 'response',
      org: this.org,
      method: out.method,
      path: shown,
      status,
      ms,
      bucket,
      ...(observed.remaining !== undefined ? { remaining: observed.remaining } : {}),
      ...(observed.limit !== undefined ? { limit: observed.limit } : {}),
    });
    this.debug?.(
      `[org2org] ${this.org} ${out.method} ${shown} -> ${status} ${ms}ms ${bucket}` +
        (observed.remaining !== undefined ? ` remaining=${observed.remaining}/${observed.limit ?? '?'}` : ''),
    );
    return { status, text, headers: fetched.headers, observed };
  }

  /** The answer's headers and whole body, under one deadline: a body that drips must not hold the run. */
  private async fetchWhole(
    out: Outgoing,
    headers: Record<string, string>,
    payload: string | undefined,
    started: number,
    timeoutMs: number,
  ): Promise<Fetched> {
    let headersMs = 0;
    const signal = this.cutOff(out);
    const reply = await this.transport.send({
      method: out.method,
      url: out.url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
      ...(signal ? { signal } : {}),
      timeoutMs,
      maxBytes: this.maxResponseBytes,
      onHeaders: (status, answered) => {
        headersMs = this.scheduler.now() - started;
        if (status >= 200 && status < 300) out.onHeaders?.(answered);
      },
    });
    return { ...reply, headersMs };
  }

  /** What cuts an exchange off on Ctrl-C: the signal itself for reads, a short grace for writes. */
  private cutOff(out: Outgoing): AbortSignal | undefined {
    const signal = this.options.signal;
    if (!signal) return undefined;
    // A token request changes nothing in the org: cut off like a read.
    if (out.method === 'GET' || out.anonymous) return signal;
    if (!this.writeCutOff) {
      const controller = new AbortController();
      const start = (): void => void setTimeout(() => controller.abort(), WRITE_GRACE_MS).unref();
      if (signal.aborted) start();
      else signal.addEventListener('abort', start, { once: true });
      this.writeCutOff = controller.signal;
    }
    return this.writeCutOff;
  }

  /** After an exchange that got no answer: back off and 'retry' when that is safe, else throw. */
  private async failedExchange(out: Outgoing, tries: Tries, attempt: number, err: unknown, started: number): Promise<'retry'> {
    const { bucket, shown } = tries;
    if (err instanceof Aborted) {
      if (out.method === 'GET' || out.anonymous)
        throw new InterruptedError(`${this.org}: interrupted: ${out.method} ${shown} was cut off.`);
      // A write cut off mid-way may or may not have been made: said so, never retried.
      throw this.error(out, shown, bucket, 0, undefined, { networkCause: 'cut off by Ctrl-C while in flight', outcomeUnknown: true });
    }
    if (err instanceof AnswerTooLarge) {
      throw new Org2OrgError(
        `${this.org}: ${out.method} ${shown} answered more than ${Math.round(this.maxResponseBytes / 1048576)} MB; stopped reading it.`,
      );
    }
    const timedOut = err instanceof TimedOut;
    const failure = timedOut ? { code: 'timeout', maybeSent: true } : networkFailure(err);
    this.debug?.(`[org2org] ${this.org} ${out.method} ${shown} -> ${failure.code} ${this.scheduler.now() - started}ms`);
    const safe = out.idempotent || !failure.maybeSent;
    const unreachableRetries = UNREACHABLE_RETRIES[failure.code];
    const inTime = tries.spentMs < this.requestDeadlineMs;
    if (safe && inTime && attempt < Math.min(this.maxRetries, unreachableRetries ?? Infinity)) {
      await this.backoff(out, tries, attempt, failure.code);
      return 'retry';
    }
    const cause = !inTime
      ? `no complete answer in ${attempt + 1} attempt${attempt === 0 ? '' : 's'} within the request's deadline of ${Math.round(this.requestDeadlineMs / 1000)} s`
      : timedOut
        ? `no complete answer within ${this.timeoutMs} ms`
        : failure.code;
    const error = this.error(out, shown, bucket, 0, undefined, { networkCause: cause, outcomeUnknown: !safe });
    if (unreachableRetries !== undefined) this.unreachable ??= error;
    throw error;
  }

  /**
   * What an answer means: itself (2xx), 'retry' (a 429 or a 5xx worth sending again, after the
   * wait), 'same attempt' (a fresh OAuth token, which is not a retry), or an error thrown.
   */
  private async judge(out: Outgoing, tries: Tries, attempt: number, answer: Answer): Promise<Answer | 'retry' | 'same attempt'> {
    const { status, observed } = answer;
    if (status >= 200 && status < 300) return answer;
    const { bucket, shown } = tries;
    tries.retryFor ??= answer.headers.get('x-okta-request-id') ?? undefined;
    const body = parseErrorBody(answer.text);
    if (status === 429) {
      // Okta refused before acting: always safe to send again once the bucket opens.
      const limits = {
        limitKind: limitHit(observed),
        maxInFlight: this.maxInFlight,
        capacity: this.capacity,
        ...(observed.reset !== undefined ? { resetAt: observed.reset } : {}),
      };
      if (attempt >= this.maxRetries) throw this.error(out, shown, bucket, status, { ...body, errorCode: 'E0000047' }, limits);
      const { until, reason, refusedMs } = this.scheduler.blockAfter429(bucket, observed, attempt);
      tries.afterConcurrency429 = reason === 'concurrency';
      if (refusedMs !== undefined)
        throw this.error(out, shown, bucket, status, { ...body, errorCode: 'E0000047' }, { ...limits, waitRefusedMs: refusedMs });
      const delayMs = Math.max(0, Math.round(until - this.scheduler.now()));
      this.options.onEvent?.({
        type: 'retry',
        org: this.org,
        method: out.method,
        path: shown,
        attempt: attempt + 1,
        reason: reason === '429' ? 'rate limit (429)' : 'concurrency limit (429)',
        delayMs,
        rateLimit: reason,
      });
      return 'retry';
    }
    const dpop = this.dpopAnswer(out, tries, status, body?.error, answer.headers);
    if (dpop) return dpop;
    if (status === 401 && this.auth.kind === 'oauth' && !out.anonymous && !tries.refreshedToken) {
      // The cached access token may have been revoked or expired early: fetch a fresh one once.
      tries.refreshedToken = true;
      this.accessToken = undefined;
      return 'same attempt';
    }
    if (status >= 500 && out.idempotent && attempt < this.maxRetries && tries.spentMs < this.requestDeadlineMs) {
      if (observed.retryAfterMs !== undefined && observed.retryAfterMs > this.scheduler.maxWaitMs) {
        throw this.error(out, shown, bucket, status, body, { waitRefusedMs: observed.retryAfterMs });
      }
      await this.backoff(out, tries, attempt, `HTTP ${status}`, observed.retryAfterMs);
      return 'retry';
    }
    throw this.error(out, shown, bucket, status, body, status >= 500 && !out.idempotent ? { outcomeUnknown: true } : {});
  }

  private async backoff(out: Outgoing, tries: Tries, attempt: number, reason: string, retryAfterMs = 0): Promise<void> {
    const { shown } = tries;
    const started = this.scheduler.now();
    try {
      await this.sleepBeforeRetry(out, shown, attempt, reason, retryAfterMs);
    } finally {
      tries.spentMs += this.scheduler.now() - started;
    }
  }

  private async sleepBeforeRetry(out: Outgoing, shown: string, attempt: number, reason: string, retryAfterMs: number): Promise<void> {
    // Exponential backoff with full jitter, capped, so retries from many requests spread out;
    // never sooner than the server's Retry-After.
    const cap = Math.min(10_000, this.retryBaseMs * 2 ** attempt);
    const delayMs = Math.max(retryAfterMs, Math.round(cap / 2 + (this.scheduler.random() * cap) / 2));
    this.options.onEvent?.({ type: 'retry', org: this.org, method: out.method, path: shown, attempt: attempt + 1, reason, delayMs });
    // Ctrl-C ends the wait at once: the retry's turn is then refused by the stopped scheduler.
    if (this.options.signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.options.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      this.options.signal?.addEventListener('abort', done, { once: true });
    });
  }

  private error(
    out: Outgoing,
    shown: string,
    bucket: string,
    status: number,
    body: OktaErrorBody | undefined,
    extra: Partial<OktaApiErrorDetails>,
  ): OktaApiError {
    const details: OktaApiErrorDetails = {
      org: this.org,
      method: out.method,
      path: shown,
      status,
      bucket,
      causes: (body?.errorCauses ?? []).map((c) => c.errorSummary ?? '').filter(Boolean),
      ...extra,
    };
    const code = body?.errorCode ?? body?.error;
    const summary = body?.errorSummary ?? body?.error_description;
    if (code) details.errorCode = code;
    if (summary) details.errorSummary = summary;
    if (body?.errorId) details.errorId = body.errorId;
    let advice = adviceFor(details, this.auth, this.origin, this.options.urlSource);
    if (out.anonymous && this.auth.kind === 'oauth') {
      advice = `Okta refused the OAuth service app ${this.auth.clientId} of org "${this.org}": check its client id, that the public key for the private key in ${this.auth.privateKey.envVar} is registered with it, and that the scopes ${this.auth.scopes.join(' ')} are granted.`;
    }
    return new OktaApiError(details, advice);
  }

  /** The Authorization header value. Never logged, and only ever sent to this org's origin. */
  private async authorization(): Promise<string> {
    if (this.auth.kind === 'token') return `SSWS ${this.auth.token.reveal()}`;
    const now = this.scheduler.now();
    if (this.accessToken && now < this.accessToken.usableUntil) return `${this.accessToken.type} ${this.accessToken.value}`;
    // One token request at a time, shared by every request that needs it.
    this.pendingToken ??= this.fetchAccessToken().finally(() => {
      this.pendingToken = undefined;
    });
    this.accessToken = await this.pendingToken;
    return `${this.accessToken.type} ${this.accessToken.value}`;
  }

  /** How this client authenticates: an API token, or a service app's Bearer or DPoP-bound access token (once one was issued). */
  authMode(): 'SSWS' | 'Bearer' | 'DPoP' | undefined {
    if (this.auth.kind === 'token') return 'SSWS';
    return this.accessToken?.type ?? (this.dpop ? 'DPoP' : undefined);
  }

  /**
   * The DPoP proof of one attempt (RFC 9449): for the token request once DPoP is on, and for every
   * API call made with a DPoP-bound token (bound to it by `ath`); the latest nonce Okta gave.
   */
  private dpopProofFor(out: Outgoing): string | undefined {
    if (!this.dpop) return undefined;
    const now = this.scheduler.now();
    if (out.anonymous) return dpopProof(this.dpop, out.method, out.url, now, optionalNonce(this.dpopNonce.token));
    if (this.accessToken?.type !== 'DPoP') return undefined;
    return dpopProof(this.dpop, out.method, out.url, now, { accessToken: this.accessToken.value, ...optionalNonce(this.dpopNonce.api) });
  }

  /**
   * Okta's DPoP answers: the token endpoint's `invalid_dpop_proof` when no proof was sent (the app
   * requires DPoP: switch to it, unless the config says `dpop: false`), and `use_dpop_nonce` with a
   * `DPoP-Nonce` header (token endpoint: 400; API: 401 with `WWW-Authenticate: DPoP error="use_dpop_nonce"`):
   * the same request again, with a fresh proof carrying the nonce. Each at most once per request.
   */
  private dpopAnswer(
    out: Outgoing,
    tries: Tries,
    status: number,
    error: string | undefined,
    headers: HeaderReader,
  ): 'same attempt' | undefined {
    if (this.auth.kind !== 'oauth') return undefined;
    const nonce = headers.get('dpop-nonce') ?? undefined;
    if (out.anonymous && status === 400) {
      if (error === 'invalid_dpop_proof' && !this.dpop && this.auth.dpop !== false && !tries.dpopSwitched) {
        tries.dpopSwitched = true;
        this.dpop = newDpopKey();
        return 'same attempt';
      }
      if (error === 'use_dpop_nonce' && this.dpop && nonce && !tries.nonceRetried) {
        tries.nonceRetried = true;
        this.dpopNonce.token = nonce;
        return 'same attempt';
      }
      return undefined;
    }
    const challenge = headers.get('www-authenticate') ?? '';
    if (status === 401 && this.dpop && nonce && /use_dpop_nonce/.test(challenge) && !tries.nonceRetried) {
      tries.nonceRetried = true;
      this.dpopNonce.api = nonce;
      return 'same attempt';
    }
    return undefined;
  }

  private async fetchAccessToken(): Promise<AccessToken> {
    if (this.auth.kind !== 'oauth') throw new Error('unreachable: token auth has no access token');
    this.serviceAppKey ??= readServiceAppKey(this.auth);
    const url = new URL('/oauth2/v1/token', this.origin);
    const { clientId, scopes } = this.auth;
    const key = this.serviceAppKey;
    const form = (): URLSearchParams =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        scope: scopes.join(' '),
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: signClientAssertion(clientId, url.href, key, this.scheduler.now()),
      });
    // Asking for a token changes nothing in the org: safe to retry, with a fresh assertion each time.
    const res = await this.send({ method: 'POST', url, form, idempotent: true, anonymous: true });
    const body = parseJson(res.text) as { access_token?: string; expires_in?: number; token_type?: string } | undefined;
    if (!body?.access_token) throw new Org2OrgError(`${this.org}: the token endpoint answered without an access token.`);
    holdSecret(body.access_token);
    const type = body.token_type?.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    if (type === 'DPoP' && !this.dpop)
      throw new Org2OrgError(`${this.org}: the token endpoint answered a DPoP-bound token to a request without a proof.`);
    return { value: body.access_token, type, usableUntil: usableUntil(this.scheduler.now(), body.expires_in ?? 3600) };
  }
}

function optionalNonce(nonce: string | undefined): { nonce?: string } {
  return nonce !== undefined ? { nonce } : {};
}

/** The headers and body of one attempt (the Authorization value, never logged, is passed in). */
function requestHeaders(
  out: Outgoing,
  authorization: string | undefined,
  attempt: number,
  retryFor: string | undefined,
): { headers: Record<string, string>; payload?: string } {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
  if (authorization) headers.authorization = authorization;
  if (attempt > 0) {
    // As Okta's SDK: the request id of the first refused answer, and which retry this is.
    if (retryFor) headers['x-okta-retry-for'] = retryFor;
    headers['x-okta-retry-count'] = String(attempt);
  }
  if (out.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return { headers, payload: out.form().toString() };
  }
  if (out.body === undefined) return { headers };
  headers['content-type'] = 'application/json';
  return { headers, payload: JSON.stringify(out.body) };
}

/** https only, except loopback (the simulator, local tests). */
function parseBaseUrl(org: string, baseUrl: string): URL {
  const url = parseUrl(baseUrl);
  if (url === undefined) throw new Org2OrgError(`${org}: "${baseUrl}" is not a URL.`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new Org2OrgError(`${org}: ${url.origin} must use https (plain http is allowed only on loopback).`);
}

function readRateHeaders(headers: HeaderReader): RateObservation {
  const num = (name: string): number | undefined => {
    const v = headers.get(name);
    if (v === null || v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const o: RateObservation = {};
  const limit = num('x-rate-limit-limit');
  const remaining = num('x-rate-limit-remaining');
  const reset = num('x-rate-limit-reset');
  const date = Date.parse(headers.get('date') ?? '');
  if (limit !== undefined) o.limit = limit;
  if (remaining !== undefined) o.remaining = remaining;
  if (reset !== undefined) o.reset = reset;
  if (Number.isFinite(date)) o.date = date;
  const retryAfter = parseRetryAfter(headers.get('retry-after'), Number.isFinite(date) ? date : Date.now());
  if (retryAfter !== undefined) o.retryAfterMs = retryAfter;
  return o;
}

/** `Retry-After` as ms from now: delay-seconds, or an HTTP date (against the server's own Date). */
export function parseRetryAfter(value: string | null, serverNow: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - serverNow) : undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseErrorBody(text: string): OktaErrorBody | undefined {
  const parsed = parseJson(text);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as OktaErrorBody) : undefined;
}

/** Classify a failure without an answer: did the request possibly reach the server? */
function networkFailure(err: unknown): { code: string; maybeSent: boolean } {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (o.name === 'TimeoutError' || o.name === 'AbortError') codes.push('timeout');
    // A host with several addresses (localhost: ::1 and 127.0.0.1) fails with one error per address.
    if (Array.isArray(o.errors))
      for (const inner of o.errors as { code?: unknown }[]) if (typeof inner?.code === 'string') codes.push(inner.code);
    e = o.cause;
  }
  const notSent = codes.find((c) => NOT_SENT_CODES.has(c));
  if (notSent) return { code: notSent, maybeSent: false };
  return { code: codes[0] ?? 'network error', maybeSent: true };
}
