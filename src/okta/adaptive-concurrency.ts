/**
 * How many requests one org may have in flight, adapted to what the org answers.
 *
 * Okta caps requests in flight per org (75 on most orgs, 35 on free ones) and the cap is shared
 * with every other integration of the org, so no fixed number is right for every org. The limit
 * starts low and grows while answers come back cleanly and demand is held up by it:
 * one more per answer until the first back-off (doubling each round trip), then one more per
 * round trip. It is cut multiplicatively when Okta refuses a request for concurrency (halved) or
 * when answers of one route get much slower than that route's best (three quarters, never below
 * the start: latency is a softer signal than a refusal). It never exceeds the ceiling
 * (`--max-in-flight`), which leaves the rest of the org's limit to other integrations.
 *
 * One cut per round: after a cut, signals from requests that were sent before it describe the
 * old limit and are ignored, so a burst of refusals from one round halves the limit once.
 *
 * Pure: no clock, no I/O; the scheduler feeds it what each answer said.
 */

/** A latency sample this many times the route's best, smoothed, cuts the limit. */
const LATENCY_RISE = 2;
/** Above this smoothed ratio the limit stops growing (answers are slowing, not just jittering). */
const LATENCY_HOLD = 1.5;
/** A rise must also be this many ms: a 20 ms route taking 50 ms is noise (or our own busy event loop), not queueing. */
const LATENCY_SLACK_MS = 100;
const SMOOTHING = 0.2;

export type ConcurrencyChange = { limit: number; reason: 'grow' | 'concurrency-429' | 'latency' };

export class AdaptiveLimit {
  private value: number;
  /** Below it the limit grows by one per answer (slow start), above it by one per round trip. */
  private threshold: number;
  /** Requests granted up to this sequence number were sent before the last cut. */
  private cutAt = -1;
  private readonly best = new Map<string, number>();
  private ratio = 1;
  /** The highest limit reached. */
  peak: number;

  constructor(
    readonly ceiling: number,
    readonly initial: number,
  ) {
    this.value = initial;
    this.threshold = ceiling;
    this.peak = this.limit;
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return Math.max(1, Math.min(this.ceiling, Math.floor(this.value)));
  }

  /**
   * A successful answer (anything but a 429). `seq` is the request's grant number; `wanted` says
   * whether requests were waiting for a free slot (growth helps only then) and the bucket's
   * budget could feed one more in flight.
   */
  answered(seq: number, route: string, ms: number, wanted: boolean): ConcurrencyChange | undefined {
    const before = this.limit;
    const best = this.best.get(route);
    if (best === undefined || ms < best) this.best.set(route, Math.max(1, ms));
    // Answers to requests sent before the last cut describe the old limit.
    if (seq <= this.cutAt) return undefined;
    const base = this.best.get(route)!;
    const sample = ms - base > LATENCY_SLACK_MS ? Math.min(4, ms / base) : 1;
    this.ratio += SMOOTHING * (sample - this.ratio);
    if (this.ratio >= LATENCY_RISE) {
      this.value = Math.max(Math.min(this.initial, this.value), Math.floor(this.value * 0.75));
      this.threshold = this.value;
      return this.cut(seq, before, 'latency');
    }
    if (!wanted || this.ratio > LATENCY_HOLD || this.value >= this.ceiling) return undefined;
    this.value = Math.min(this.ceiling, this.value + (this.value < this.threshold ? 1 : 1 / this.value));
    return this.changed(before, 'grow');
  }

  /** Okta refused a request for the org's concurrency limit (429 with budget left in its bucket). */
  refused(seq: number): ConcurrencyChange | undefined {
    if (seq <= this.cutAt) return undefined;
    const before = this.limit;
    this.value = Math.max(1, Math.floor(this.value / 2));
    this.threshold = this.value;
    return this.cut(seq, before, 'concurrency-429');
  }

  /** Called with the latest grant number when a cut happens; later grants see the new limit. */
  markCut(latestGrant: number): void {
    this.cutAt = latestGrant;
  }

  private cut(seq: number, before: number, reason: ConcurrencyChange['reason']): ConcurrencyChange | undefined {
    // Until the scheduler marks the cut with its latest grant, at least this request's round is covered.
    this.cutAt = Math.max(this.cutAt, seq);
    this.ratio = Math.min(this.ratio, LATENCY_HOLD);
    return this.changed(before, reason, true);
  }

  private changed(before: number, reason: ConcurrencyChange['reason'], always = false): ConcurrencyChange | undefined {
    const limit = this.limit;
    if (limit > this.peak) this.peak = limit;
    return limit !== before || always ? { limit, reason } : undefined;
  }
}
