/**
 * The per-org rate-limit scheduler. Okta counts calls per bucket in fixed windows and tells us
 * the limit, what is left and when the window resets (`X-Rate-Limit-*`). The scheduler lets a
 * request go only while this run's use of the bucket's current window stays under
 * `capacity × limit`, caps requests in flight for the whole org at an adaptive limit
 * (`AdaptiveLimit`: grows while answers are clean, cut on a concurrency 429 or a latency rise,
 * never above `maxInFlight`), and after a 429 holds the bucket until its reset (server clock
 * skew corrected, jitter added).
 *
 * Until a bucket's first answer arrives its limit is unknown: one probe request goes alone,
 * so a run never bursts blindly into a bucket some other tool already exhausted.
 */
import { AdaptiveLimit } from './adaptive-concurrency.js';
import type { ClientEvent, RateLimitSnapshot } from './types.js';

/** Default ceiling of requests in flight per org: under half of Okta's usual 75, the rest left to other integrations. */
export const DEFAULT_MAX_IN_FLIGHT = 32;
/**
 * Where the adaptive limit starts: under half of what any org allows (free orgs: 35 in flight),
 * and enough that a read of a few hundred lists reaches the ceiling in two round trips.
 */
export const INITIAL_IN_FLIGHT = 16;

export interface SchedulerOptions {
  org: string;
  /** Share (0–1] of each bucket this run may use. */
  capacity: number;
  /** Ceiling of requests in flight for the whole org. */
  maxInFlight: number;
  /** Longest wait for a rate-limit window the scheduler accepts (a hostile or broken reset is capped). */
  maxWaitMs?: number;
  /** Adapt the in-flight limit below the ceiling (default). `false` holds it at the ceiling. */
  adaptive?: boolean;
  onEvent?: (event: ClientEvent) => void;
  /** Injectable clock and randomness (tests). */
  now?: () => number;
  random?: () => number;
}

/** What one response said about its bucket. */
export interface RateObservation {
  limit?: number;
  remaining?: number;
  /** Epoch seconds (server clock). */
  reset?: number;
  /** The response's `Date` header, epoch ms (server clock, 1 s resolution). */
  date?: number;
  /** `Retry-After`, as a delay in ms from now. */
  retryAfterMs?: number;
}

/** Which of Okta's limits a 429 hit: budget left in the window means the concurrency limit. */
export function limitHit(o: RateObservation): 'rate' | 'concurrency' {
  return o.remaining !== undefined && o.remaining > 0 ? 'concurrency' : 'rate';
}

/** Okta's windows are a minute long; no honest answer asks for more than this. */
export const DEFAULT_MAX_WAIT_MS = 120_000;
/** setTimeout's largest delay; a longer one fires at once (and warns). */
const MAX_TIMER_MS = 2_147_483_647;

interface BucketState {
  limit?: number;
  /** Calls the server had counted in the current window (from `Remaining`). */
  used: number;
  /** Calls this client sent since the current window began (local count, includes in-flight). */
  sent: number;
  /** End of the current window on the local clock. */
  resetMs?: number;
  /** `resetMs` is our own extrapolation (window rolled over locally), not yet confirmed by Okta. */
  resetGuessed: boolean;
  /** Length of a window, learnt from consecutive resets (Okta: 60 s). */
  windowMs: number;
  inFlight: number;
  /** Answers came without rate-limit headers: only the in-flight cap applies. */
  unmetered: boolean;
  blockedUntil: number;
  lastWaitUntil: number;
}

/** What became of a granted request, for the adaptive limit. Nothing (a network failure) teaches it nothing. */
export interface RequestOutcome {
  status: number;
  /** Time from sending to the answer's headers. */
  ms: number;
  /** The request's route (ids replaced), so latency is compared between like requests. */
  route: string;
  /** The answer's rate-limit headers. */
  observed: RateObservation;
}

export type Release = (outcome?: RequestOutcome) => void;

interface Waiter {
  /** Order of service: urgent waiters (a list's next page) before the others, then by arrival. */
  order: number;
  /** A retry after a concurrency 429: goes once the brief hold ends, whatever the budget says (see acquire). */
  exempt: boolean;
  resolve: (release: Release) => void;
  reject: (reason: Error) => void;
}

/** Added to a waiter's arrival number unless it is urgent, so that urgent ones sort first. */
const NOT_URGENT = 2 ** 40;

/** Date has 1 s resolution: a smaller apparent skew is noise, not a clock difference. */
const SKEW_NOISE_MS = 1000;

export class RateLimitScheduler {
  private readonly buckets = new Map<string, BucketState>();
  /** Requests waiting to go, per bucket, in arrival order. */
  private readonly queues = new Map<string, Waiter[]>();
  private seq = 0;
  private grants = 0;
  private inFlight = 0;
  /** The last pump left open buckets waiting because the in-flight limit was reached. */
  private heldByLimit = false;
  private readonly limit: AdaptiveLimit;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private skewMs = 0;
  /** Set by stop(): why no request may start any more. */
  private stopped: Error | undefined;
  readonly now: () => number;
  readonly random: () => number;
  readonly maxWaitMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    const ceiling = Math.max(1, Math.floor(options.maxInFlight));
    this.limit = new AdaptiveLimit(ceiling, options.adaptive === false ? ceiling : Math.min(ceiling, INITIAL_IN_FLIGHT));
  }

  /** Requests allowed in flight now, and the highest that was allowed. */
  concurrency(): { limit: number; peak: number; ceiling: number } {
    return { limit: this.limit.limit, peak: this.limit.peak, ceiling: this.limit.ceiling };
  }

  /**
   * Resolves with a release function once a request to `bucket` may be sent. Release it with the
   * answer's outcome (or nothing, when no answer came) as soon as the answer is in.
   *
   * `urgent`: the next page of a list being read. It goes before requests that start something
   * new: a cursor chain is the longest wait of a read, and a flood of independent requests (member
   * lists, lookups) queued ahead of it would stretch every link of the chain.
   */
  acquire(bucket: string, urgent = false, exempt = false): Promise<Release> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(this.stopped);
      let queue = this.queues.get(bucket);
      if (!queue) this.queues.set(bucket, (queue = []));
      const waiter = { order: this.seq++ + (urgent || exempt ? 0 : NOT_URGENT), exempt, resolve, reject };
      // Queues stay sorted by order; an urgent waiter goes after the urgent ones already waiting.
      let at = queue.length;
      while (at > 0 && queue[at - 1]!.order > waiter.order) at--;
      queue.splice(at, 0, waiter);
      this.pump();
    });
  }

  /** Learn from a response's rate-limit headers. */
  observe(bucket: string, o: RateObservation): void {
    const now = this.now();
    if (o.date !== undefined && Number.isFinite(o.date)) {
      // The server's clock is somewhere in [Date, Date + 1 s): compare against the middle.
      const estimate = o.date + 500 - now;
      this.skewMs = Math.abs(estimate) > SKEW_NOISE_MS ? estimate : 0;
    }
    const b = this.state(bucket);
    if (o.limit === undefined || o.remaining === undefined || o.reset === undefined) {
      if (b.limit === undefined) b.unmetered = true;
      return;
    }
    b.unmetered = false;
    b.limit = o.limit;
    // A reset beyond the longest wait is not believed: the window is taken to end at the cap.
    const resetLocal = Math.min(this.toLocal(o.reset), now + this.maxWaitMs);
    const used = Math.max(0, o.limit - o.remaining);
    const tolerance = Math.min(500, b.windowMs / 4);
    if (b.resetGuessed && b.resetMs !== undefined && resetLocal > now - tolerance && Math.abs(resetLocal - b.resetMs) > tolerance) {
      // Our extrapolated window was wrong (a shorter window than guessed): Okta's answer wins.
      b.resetMs = resetLocal;
      b.resetGuessed = false;
      b.used = used;
      b.sent = Math.max(b.sent, used);
      return;
    }
    if (b.resetMs === undefined || resetLocal > b.resetMs + tolerance) {
      if (b.resetMs !== undefined) {
        const gap = resetLocal - b.resetMs;
        if (gap > 0 && gap <= 3_600_000) b.windowMs = Math.min(b.windowMs, gap);
      }
      // A window we had not rolled into yet (our timer is late, or the clocks differ): `sent`
      // counts the old window, so the server's count is all we know of the new one.
      b.resetMs = resetLocal;
      b.resetGuessed = false;
      b.used = used;
      b.sent = used;
    } else if (Math.abs(resetLocal - b.resetMs) <= tolerance) {
      b.resetGuessed = false;
      b.used = Math.max(b.used, used);
    }
    // An answer from an older window says nothing about the current one.
  }

  /**
   * After a 429: hold the bucket until its reset (or `Retry-After`, when later) plus jitter.
   * Returns the time it opens again; `refusedMs` when Okta asked for a longer wait than
   * `maxWaitMs` (the bucket is then held only that long, and the caller gives up).
   */
  blockAfter429(bucket: string, o: RateObservation, attempt: number): { until: number; reason: '429' | 'concurrency'; refusedMs?: number } {
    const now = this.now();
    const b = this.state(bucket);
    let until: number;
    let reason: '429' | 'concurrency';
    if (limitHit(o) === 'concurrency') {
      // Budget left but still 429: the org's concurrency limit. Back off briefly.
      reason = 'concurrency';
      until = now + Math.min(5000, 100 * 2 ** attempt) * (0.5 + this.random());
    } else {
      reason = '429';
      const reset = o.reset !== undefined ? this.toLocal(o.reset) : now + b.windowMs;
      until = Math.max(reset, now) + this.random() * Math.min(1000, b.windowMs / 10);
      if (o.reset !== undefined && reset > now) {
        b.resetMs = reset;
        b.resetGuessed = false;
      }
      if (o.limit !== undefined) {
        b.limit = o.limit;
        b.used = o.limit;
        b.sent = Math.max(b.sent, o.limit);
      }
    }
    if (o.retryAfterMs !== undefined) until = Math.max(until, now + o.retryAfterMs);
    const asked = until - now;
    until = Math.min(until, now + this.maxWaitMs);
    if (b.resetMs !== undefined) b.resetMs = Math.min(b.resetMs, now + this.maxWaitMs);
    b.blockedUntil = Math.max(b.blockedUntil, until);
    this.options.onEvent?.({ type: 'rate-limit-wait', org: this.options.org, bucket, until: Math.round(until), reason });
    return asked > this.maxWaitMs ? { until, reason, refusedMs: asked } : { until, reason };
  }

  /**
   * Ctrl-C: every request still waiting for a slot is rejected with `reason`, and so is every
   * later one; requests already granted go on and are released as usual.
   */
  stop(reason: Error): void {
    this.stopped ??= reason;
    const waiting = [...this.queues.values()].flat();
    this.dispose();
    for (const w of waiting) w.reject(this.stopped);
  }

  /** Stop the wake-up timer (waiters left queued are abandoned). For tests and shutdown. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.queues.clear();
  }

  snapshot(): RateLimitSnapshot[] {
    const out: RateLimitSnapshot[] = [];
    for (const [bucket, b] of this.buckets) {
      if (b.limit === undefined || b.resetMs === undefined) continue;
      out.push({ bucket, limit: b.limit, remaining: Math.max(0, b.limit - b.used), reset: Math.ceil((b.resetMs + this.skewMs) / 1000) });
    }
    return out.sort((a, b) => a.bucket.localeCompare(b.bucket));
  }

  /** Requests this run may send to the bucket in one window. */
  allowance(bucket: string): number | undefined {
    const b = this.buckets.get(bucket);
    return b?.limit === undefined ? undefined : Math.max(1, Math.floor(b.limit * this.options.capacity));
  }

  private toLocal(resetSeconds: number): number {
    return resetSeconds * 1000 - this.skewMs;
  }

  private state(bucket: string): BucketState {
    let b = this.buckets.get(bucket);
    if (!b) {
      b = { used: 0, sent: 0, resetGuessed: false, windowMs: 60_000, inFlight: 0, unmetered: false, blockedUntil: 0, lastWaitUntil: 0 };
      this.buckets.set(bucket, b);
    }
    return b;
  }

  private rollOver(b: BucketState, now: number): void {
    if (b.resetMs === undefined || now < b.resetMs) return;
    // Arithmetic, not a loop: a reset far in the past must not cost one step per window.
    b.resetMs += (Math.floor((now - b.resetMs) / b.windowMs) + 1) * b.windowMs;
    b.resetGuessed = true;
    b.used = 0;
    b.sent = 0;
  }

  /**
   * Grant every waiter that may go now, urgent ones first, then oldest first across the buckets that are open; arm a
   * timer for the earliest bucket that opens later. Queues are per bucket, so a pass costs the
   * number of buckets, not the number of queued requests.
   */
  private pump(): void {
    const now = this.now();
    let wakeAt = Infinity;
    const open: string[] = [];
    for (const [bucket, queue] of this.queues) {
      if (queue.length === 0) continue;
      const b = this.state(bucket);
      this.rollOver(b, now);
      const opensAt = this.exemptGoes(queue, b, now) ? now : this.opensAt(bucket, b, now);
      if (opensAt <= now) open.push(bucket);
      else if (Number.isFinite(opensAt)) wakeAt = Math.min(wakeAt, opensAt);
    }
    const limit = this.limit.limit;
    while (open.length > 0 && this.inFlight < limit) {
      let best = 0;
      for (let i = 1; i < open.length; i++) if (this.queues.get(open[i]!)![0]!.order < this.queues.get(open[best]!)![0]!.order) best = i;
      const bucket = open[best]!;
      const queue = this.queues.get(bucket)!;
      const b = this.state(bucket);
      this.grant(queue.shift()!, b);
      const opensAt = queue.length === 0 ? Infinity : this.exemptGoes(queue, b, now) ? now : this.opensAt(bucket, b, now);
      if (opensAt > now) {
        open.splice(best, 1);
        if (queue.length > 0 && Number.isFinite(opensAt)) wakeAt = Math.min(wakeAt, opensAt);
      }
    }
    this.heldByLimit = open.length > 0;
    this.arm(wakeAt);
  }

  /**
   * A concurrency 429 says the window has budget left (Okta refused for requests in flight, not
   * for calls spent): its retry waits out the brief hold, not the window. The budget counts every
   * caller of the org's bucket, so when other integrations hold much of it the budget would
   * otherwise keep each retry for a whole window. A bucket the org has spent still holds it.
   */
  private exemptGoes(queue: Waiter[], b: BucketState, now: number): boolean {
    return queue[0]?.exempt === true && b.blockedUntil <= now && (b.limit === undefined || Math.max(b.used, b.sent) < b.limit);
  }

  /** When a request to the bucket may go: now, later (a time), or Infinity (after an answer arrives). */
  private opensAt(bucket: string, b: BucketState, now: number): number {
    if (b.blockedUntil > now) return b.blockedUntil;
    if (b.unmetered) return now;
    if (b.limit === undefined) return b.inFlight === 0 ? now : Infinity;
    const allowed = this.allowance(bucket)!;
    if (Math.max(b.used, b.sent) < allowed) return now;
    const until = b.resetMs ?? now + b.windowMs;
    if (until > b.lastWaitUntil) {
      b.lastWaitUntil = until;
      this.options.onEvent?.({ type: 'rate-limit-wait', org: this.options.org, bucket, until: Math.round(until), reason: 'budget' });
    }
    return until;
  }

  private grant(w: Waiter, b: BucketState): void {
    this.inFlight++;
    b.inFlight++;
    b.sent++;
    const seq = ++this.grants;
    let released = false;
    w.resolve((outcome) => {
      if (released) return;
      released = true;
      this.inFlight--;
      b.inFlight--;
      if (outcome && this.options.adaptive !== false) this.adapt(seq, b, outcome);
      this.pump();
    });
  }

  private adapt(seq: number, b: BucketState, outcome: RequestOutcome): void {
    let change;
    if (outcome.status === 429) {
      if (limitHit(outcome.observed) === 'concurrency') change = this.limit.refused(seq);
    } else {
      // More in flight helps only when requests wait for a slot and the bucket's share of the
      // window could feed one more. (A window that has ended counts as empty; the pump rolls it over.)
      const spent = b.resetMs !== undefined && this.now() >= b.resetMs ? 0 : Math.max(b.used, b.sent);
      const room = b.unmetered || b.limit === undefined || this.allowanceOf(b) - spent > this.limit.limit;
      change = this.limit.answered(seq, outcome.route, outcome.ms, this.heldByLimit && room);
    }
    if (!change) return;
    if (change.reason !== 'grow') this.limit.markCut(this.grants);
    this.options.onEvent?.({ type: 'concurrency', org: this.options.org, limit: change.limit, reason: change.reason });
  }

  private allowanceOf(b: BucketState): number {
    return b.limit === undefined ? Infinity : Math.max(1, Math.floor(b.limit * this.options.capacity));
  }

  private arm(wakeAt: number): void {
    if (!Number.isFinite(wakeAt)) return;
    if (this.timer && this.timerAt <= wakeAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = wakeAt;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, wakeAt - this.now())),
    );
  }
}
