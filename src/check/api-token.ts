/**
 * What Okta says of an API token org2org holds: its owner and when it expires. An API token dies
 * after its window without use (30 days unless the org set another; each use renews it) and with
 * the admin who made it. Okta lists token metadata at `GET /api/v1/api-tokens` (never a value), but
 * has no "this token" read (`/api/v1/api-tokens/current` only revokes), so the token is found among
 * its owner's: when the owner has several, which one is this is not readable, and only what holds
 * for all of them is said as certain.
 */
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient } from '../okta/types.js';

/** One token's metadata as Okta lists it (the fields org2org reads). */
export interface ApiTokenMetadata {
  id: string;
  name?: string;
  /** ISO time; absent when Okta sent none (or not a time). */
  expiresAt?: string;
  /** ISO 8601 duration (`P30D`): how long the token lives without use. */
  tokenWindow?: string;
}

/** What `check` reports about one API token. */
export interface ApiTokenReport {
  /** The variable the token comes from (never its value). */
  envVar: string;
  /** Login (or id) of the admin who owns it. */
  owner: string;
  /** The owner's active tokens (this one among them); several when Okta can't say which is this one. */
  candidates?: ApiTokenMetadata[];
  /** Why the metadata could not be read with this token, when it could not. */
  unreadable?: string;
}

interface ListedToken {
  id?: unknown;
  name?: unknown;
  userId?: unknown;
  expiresAt?: unknown;
  tokenWindow?: unknown;
}

/**
 * The metadata of the token `client` authenticates with, whose owner is `ownerId` (from
 * `/api/v1/users/me`). Any Okta refusal (403 for a token whose admin may not read tokens, 404 where
 * the API is absent, a 429 that outlasted the retries) is "not readable", never a failed check:
 * the token works, only its metadata is out of reach.
 */
export async function readApiToken(client: OktaClient, envVar: string, owner: { id: string; login: string }): Promise<ApiTokenReport> {
  const report: ApiTokenReport = { envVar, owner: owner.login };
  const candidates: ApiTokenMetadata[] = [];
  let listed = 0;
  try {
    for await (const page of client.pages<ListedToken>('/api/v1/api-tokens')) {
      for (const t of page) {
        listed++;
        if (t === null || typeof t !== 'object' || t.userId !== owner.id || typeof t.id !== 'string') continue;
        const meta: ApiTokenMetadata = { id: t.id };
        if (typeof t.name === 'string') meta.name = t.name;
        if (typeof t.expiresAt === 'string' && !Number.isNaN(Date.parse(t.expiresAt))) meta.expiresAt = t.expiresAt;
        if (typeof t.tokenWindow === 'string') meta.tokenWindow = t.tokenWindow;
        candidates.push(meta);
      }
    }
  } catch (err) {
    if (!(err instanceof OktaApiError)) throw err;
    report.unreadable =
      err.status === 0
        ? 'no answer'
        : `${err.status}${err.errorCode ? ` ${err.errorCode}` : ''}${err.errorSummary ? `: ${err.errorSummary}` : ''}`;
    return report;
  }
  if (candidates.length === 0) report.unreadable = `none of the ${listed} tokens Okta listed belongs to ${owner.login}`;
  else report.candidates = candidates.sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? '') || a.id.localeCompare(b.id));
  return report;
}

const DAY_MS = 86_400_000;

/** How a token report reads in `check`: one line always, and a warning when the token surely expires within `warnDays`. */
export function describeApiToken(
  report: ApiTokenReport,
  nowMs: number,
  warnDays: number,
): { line: string; warning?: string; note?: string } {
  const head = `${report.envVar}, owned by ${report.owner}`;
  if (report.unreadable !== undefined || !report.candidates?.length)
    return { line: `${head}; expiry not readable with this token (${report.unreadable ?? 'not listed'})` };
  const within = (t: ApiTokenMetadata): boolean => t.expiresAt !== undefined && Date.parse(t.expiresAt) - nowMs < warnDays * DAY_MS;
  const when = (t: ApiTokenMetadata): string => {
    if (t.expiresAt === undefined) return 'at a time Okta did not give';
    const days = (Date.parse(t.expiresAt) - nowMs) / DAY_MS;
    const span = days < 0 ? 'expired' : days < 1 ? 'in less than a day' : `in ${Math.floor(days)} day${Math.floor(days) === 1 ? '' : 's'}`;
    return `${t.expiresAt} (${span}${t.tokenWindow ? `; window ${t.tokenWindow}, renewed by each use` : ''})`;
  };
  const fix = 'make a new token before then (Okta renews a token only when it is used; it also dies with its admin)';
  if (report.candidates.length === 1) {
    const t = report.candidates[0]!;
    const line = `${head}${t.name !== undefined ? `, token "${t.name}"` : ''}, expires ${when(t)}`;
    return within(t) ? { line, warning: `the API token ${report.envVar} expires ${when(t)}: ${fix}` } : { line };
  }
  const n = report.candidates.length;
  const first = report.candidates[0]!;
  const last = report.candidates[n - 1]!;
  const line = `${head}, one of their ${n} active tokens (Okta doesn't say which): they expire from ${first.expiresAt ?? '?'} to ${last.expiresAt ?? '?'}`;
  const soon = report.candidates.filter(within).length;
  if (soon === n)
    return {
      line,
      warning: `the API token ${report.envVar} expires within ${warnDays} days: all ${n} of ${report.owner}'s tokens do, the last ${when(last)}; ${fix}`,
    };
  if (soon > 0)
    return {
      line,
      note: `${soon} of ${report.owner}'s ${n} active tokens expire within ${warnDays} days (the first ${when(first)}); whether ${report.envVar} is one of them is not readable`,
    };
  return { line };
}
