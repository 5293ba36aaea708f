/**
 * The arithmetic of the report, kept pure so that it can be checked with plain values:
 * time at Okta's real rate limits from calls per bucket, the per-resource reader's cost, and
 * apply's achieved share of the allowed rate from the windows its answers fell in.
 */
import { classifyBucket } from '../src/okta/routes.js';
import type { HttpMethod } from '../src/okta/types.js';
import { DEFAULT_RATE_LIMITS, type BucketId, type SimStats } from '../src/sim/index.js';

/** Calls per rate-limit bucket, from the simulator's per-route counts ("GET /api/v1/apps/{appId}/users": n). */
export function callsByBucket(stats: SimStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [route, n] of Object.entries(stats.byRoute)) {
    const space = route.indexOf(' ');
    const bucket = classifyBucket(route.slice(0, space) as HttpMethod, route.slice(space + 1));
    out[bucket] = (out[bucket] ?? 0) + n;
  }
  return out;
}

/**
 * Minutes the calls need at Okta's per-minute limits (DEFAULT_RATE_LIMITS are Okta's Workforce
 * figures) with `capacity` of each bucket: buckets fill in parallel, so the slowest one decides.
 * Only the rate limit counts here (no latency): it is a lower bound, and the same for both readers.
 */
export function minutesAtLimits(calls: Record<string, number>, capacity: number): number {
  let minutes = 0;
  for (const [bucket, n] of Object.entries(calls)) {
    const limit = DEFAULT_RATE_LIMITS[bucket as BucketId] ?? DEFAULT_RATE_LIMITS.default;
    minutes = Math.max(minutes, n / (limit * capacity));
  }
  return minutes;
}

/** Orgs are read concurrently and each has its own buckets: the slowest org decides. */
export function minutesAcrossOrgs(byOrg: Record<string, Record<string, number>>, capacity: number): number {
  return Math.max(0, ...Object.values(byOrg).map((calls) => minutesAtLimits(calls, capacity)));
}

/**
 * Whole windows a run must wait through, at least, to send these calls: the first window's share
 * can go at once, each further share needs a new window. The slowest bucket of any org decides.
 */
export function rateLimitFloorWindows(byOrg: Record<string, Record<string, number>>, capacity: number): number {
  let windows = 0;
  for (const calls of Object.values(byOrg)) {
    for (const [bucket, n] of Object.entries(calls)) {
      const allowed = Math.max(1, Math.floor((DEFAULT_RATE_LIMITS[bucket as BucketId] ?? DEFAULT_RATE_LIMITS.default) * capacity));
      windows = Math.max(windows, Math.ceil(n / allowed) - 1);
    }
  }
  return windows;
}

/**
 * A per-resource reader's refresh (Terraform's Okta provider): for each assigned user, GET the
 * app user (`/api/v1/apps/{id}/users/{userId}`, apps bucket) and GET the user
 * (`/api/v1/users/{id}`, user bucket); for each push mapping, GET it (apps bucket). Putting the
 * second GET in another bucket is the assumption most favourable to that reader.
 */
export function perResourceCalls(spokes: { name: string; assigned: number; pushed: number }[]): Record<string, Record<string, number>> {
  return Object.fromEntries(spokes.map((s) => [s.name, { apps: s.assigned + s.pushed, user: s.assigned }]));
}

export function totalCalls(byOrg: Record<string, Record<string, number>>): number {
  let n = 0;
  for (const calls of Object.values(byOrg)) for (const c of Object.values(calls)) n += c;
  return n;
}

export interface WindowUse {
  requests: number;
  windows: number;
  allowedPerWindow: number;
  /** Calls of the run counted in the first window before these requests (the plan's reads). */
  usedBefore: number;
  /** requests ÷ (windows × allowed per window − usedBefore). */
  share: number;
}

/**
 * How much of its allowed rate a run used in one bucket: its answers, grouped by the window
 * (`X-Rate-Limit-Reset`) they were counted in, over every window from the first to the last —
 * idle windows in between count against it.
 */
export function windowUse(
  byReset: Record<string, number>,
  limit: number,
  capacity: number,
  windowSeconds: number,
  usedBefore = 0,
): WindowUse {
  const resets = Object.keys(byReset).map(Number).filter(Number.isFinite);
  const requests = Object.values(byReset).reduce((a, b) => a + b, 0);
  const allowedPerWindow = Math.max(1, Math.floor(limit * capacity));
  if (resets.length === 0) return { requests, windows: 0, allowedPerWindow, usedBefore, share: 0 };
  const windows = Math.round((Math.max(...resets) - Math.min(...resets)) / windowSeconds) + 1;
  const used = Math.min(usedBefore, allowedPerWindow);
  return { requests, windows, allowedPerWindow, usedBefore: used, share: requests / (windows * allowedPerWindow - used) };
}

/**
 * Calls the server had counted in a run's first window before the run's own answers there:
 * its count at the last answer (limit − the smallest Remaining) less those answers.
 */
export function usedBeforeFirstWindow(byReset: Record<string, number>, minRemaining: Record<string, number>, limit: number): number {
  const resets = Object.keys(byReset).map(Number).filter(Number.isFinite);
  if (resets.length === 0) return 0;
  const first = String(Math.min(...resets));
  return Math.max(0, limit - (minRemaining[first] ?? limit) - (byReset[first] ?? 0));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
