/**
 * OktaApiError: the one error the client raises for an answer it can't turn into success.
 * Its message says what happened and what to do; it never contains a secret (paths are
 * masked, tokens are named by their environment variable).
 */
import { Org2OrgError } from '../errors.js';
import type { OrgAuth } from '../credentials.js';
import { bound, inert } from '../inert.js';
import type { HttpMethod } from './types.js';

export interface OktaErrorBody {
  errorCode?: string;
  errorSummary?: string;
  errorLink?: string;
  errorId?: string;
  errorCauses?: { errorSummary?: string }[];
  /** OAuth endpoints answer `{error, error_description}` instead. */
  error?: string;
  error_description?: string;
}

export interface OktaApiErrorDetails {
  org: string;
  method: HttpMethod;
  /** Path and query, secrets masked. */
  path: string;
  /** HTTP status; 0 when no answer was received (network failure, timeout). */
  status: number;
  errorCode?: string;
  errorSummary?: string;
  causes: string[];
  errorId?: string;
  /** Rate-limit bucket the call counted against. */
  bucket: string;
  /** For E0000047: epoch seconds when the bucket resets. */
  resetAt?: number;
  /** The request may have reached Okta and been acted on (a non-idempotent write that failed without an answer). */
  outcomeUnknown?: boolean;
  /** Low-level cause for network failures (error code such as ECONNRESET), never a secret. */
  networkCause?: string;
  /** For a 429: Okta's rate limit (calls per window) or its concurrency limit (calls in flight). */
  limitKind?: 'rate' | 'concurrency';
  /** Okta asked to wait this long (ms), more than the client waits: given up at once. */
  waitRefusedMs?: number;
  /** The client's settings, for advice on which flag helps. */
  maxInFlight?: number;
  capacity?: number;
}

/** Longest piece of server text (a summary, a cause) shown in a message. */
const MAX_SERVER_TEXT = 300;

/**
 * Text that came from a server, made safe to print: every held secret scrubbed (an error body
 * may echo the Authorization header), control characters and escape sequences removed (no
 * terminal tricks, no forged lines), whitespace collapsed, and cut to a readable length.
 */
export function cleanServerText(text: string, max = MAX_SERVER_TEXT): string {
  // inert strips control characters before it scrubs: a token split by an ANSI sequence is caught.
  return bound(inert(text, Number.POSITIVE_INFINITY).replace(/\s+/g, ' ').trim(), max);
}

export class OktaApiError extends Org2OrgError {
  override name = 'OktaApiError';
  readonly org: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly errorSummary: string | undefined;
  readonly causes: string[];
  readonly errorId: string | undefined;
  readonly bucket: string;
  readonly resetAt: number | undefined;
  readonly outcomeUnknown: boolean;

  constructor(details: OktaApiErrorDetails, advice: string) {
    super(composeMessage(details, advice));
    this.org = details.org;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.errorCode = details.errorCode === undefined ? undefined : cleanServerText(details.errorCode, 40);
    this.errorSummary = details.errorSummary === undefined ? undefined : cleanServerText(details.errorSummary);
    this.causes = details.causes.map((c) => cleanServerText(c));
    this.errorId = details.errorId === undefined ? undefined : cleanServerText(details.errorId, 80);
    this.bucket = details.bucket;
    this.resetAt = details.resetAt;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }
}

function composeMessage(raw: OktaApiErrorDetails, advice: string): string {
  const d: OktaApiErrorDetails = {
    ...raw,
    causes: raw.causes.slice(0, 5).map((c) => cleanServerText(c)),
    ...(raw.errorCode !== undefined ? { errorCode: cleanServerText(raw.errorCode, 40) } : {}),
    ...(raw.errorSummary !== undefined ? { errorSummary: cleanServerText(raw.errorSummary) } : {}),
    ...(raw.errorId !== undefined ? { errorId: cleanServerText(raw.errorId, 80) } : {}),
  };
  if (raw.causes.length > 5) d.causes.push(`${raw.causes.length - 5} more`);
  const what =
    d.status === 0
      ? `no answer (${d.networkCause ?? 'network error'})`
      : `${d.status}${d.errorCode ? ` ${d.errorCode}` : ''}${d.errorSummary ? `: ${d.errorSummary}` : ''}`;
  const causes = d.causes.length > 0 ? ` (${d.causes.join('; ')})` : '';
  const id = d.errorId ? ` [errorId ${d.errorId}]` : '';
  return `${d.org}: ${d.method} ${d.path} failed: ${what}${causes}${id}.${advice ? ` ${advice}` : ''}`;
}

/** Which environment variable holds the credential, for messages. */
export function credentialName(auth: OrgAuth): string {
  return auth.kind === 'token'
    ? `the API token in ${auth.token.envVar}`
    : `the OAuth service app ${auth.clientId} (private key in ${auth.privateKey.envVar})`;
}

/** What the user should do about an Okta error, by error code and status. */
export function adviceFor(d: OktaApiErrorDetails, auth: OrgAuth, baseUrl: string, urlSource?: string): string {
  if (d.waitRefusedMs !== undefined) return rateLimitAdvice(d);
  switch (d.errorCode) {
    case 'E0000011':
      return `Okta rejected ${credentialName(auth)} for org "${d.org}" (${baseUrl}): check that it is set, belongs to this org and has not expired or been revoked.`;
    case 'E0000006':
      return `The credential for org "${d.org}" lacks the admin role for this call: ${requiredRole(d.method, d.path, auth)}.`;
    case 'E0000047':
      return rateLimitAdvice(d);
    case 'E0000007':
      return 'The object no longer exists in Okta; run `org2org plan` again.';
    case 'E0000015':
      return `A feature this call needs is not enabled in org "${d.org}".`;
  }
  if (d.outcomeUnknown) {
    return 'The request may have reached Okta, so it was not sent again; run `org2org plan` to see whether it took effect.';
  }
  if (d.status === 0) {
    const check = urlSource ? `check ${urlSource}` : `check ${d.org}'s URL in the config`;
    if (d.networkCause === 'ENOTFOUND' || d.networkCause === 'EAI_AGAIN')
      return `DNS knows no host ${new URL(baseUrl).hostname}: ${check} (a typo?).`;
    if (d.networkCause === 'ECONNREFUSED') return `${baseUrl} refused the connection: ${check}, and that the org is reachable from here.`;
    return `Check that ${d.org}'s URL ${baseUrl} is reachable from here${urlSource ? `; it comes from ${urlSource}` : ''}.`;
  }
  if (d.status >= 500) return 'Okta failed on every retry; run again later (check status.okta.com).';
  if (d.status === 401) return `Okta rejected ${credentialName(auth)} for org "${d.org}".`;
  return '';
}

function rateLimitAdvice(d: OktaApiErrorDetails): string {
  if (d.waitRefusedMs !== undefined) {
    return `Okta asked to wait ${Math.ceil(d.waitRefusedMs / 1000)} s before the next call to org "${d.org}", longer than org2org waits; nothing more was sent. Run again later.`;
  }
  if (d.limitKind === 'concurrency') {
    const now = d.maxInFlight !== undefined ? ` (now ${d.maxInFlight})` : '';
    return `Org "${d.org}" refused for too many requests in flight at once — Okta's concurrency limit, shared by every tool using the org, not the per-minute rate limit — through every retry. Lower --max-in-flight${now}, or run again when other tools are idle.`;
  }
  const when = validDate(d.resetAt) ? ` It resets at ${new Date(d.resetAt! * 1000).toISOString()}.` : '';
  const now = d.capacity !== undefined ? ` (now ${Math.round(d.capacity * 100)}%)` : '';
  return `The "${d.bucket}" rate-limit bucket of org "${d.org}" (calls per minute) stayed exhausted through every retry.${when} Lower --max-api-capacity${now} if other tools share this org, or run again later.`;
}

function validDate(epochSeconds: number | undefined): boolean {
  return epochSeconds !== undefined && Number.isFinite(epochSeconds) && Math.abs(epochSeconds) < 8.64e12;
}

function requiredRole(method: HttpMethod, path: string, auth: OrgAuth): string {
  const write = method !== 'GET';
  let area: 'apps' | 'users' | 'groups' = 'apps';
  if (path.startsWith('/api/v1/users')) area = 'users';
  else if (path.startsWith('/api/v1/groups')) area = 'groups';
  if (auth.kind === 'oauth')
    return `grant the scope okta.${area}.${write ? 'manage' : 'read'} to service app ${auth.clientId} and list it in the config's scopes`;
  const role =
    area === 'apps'
      ? 'Application Administrator (or Super Administrator)'
      : area === 'groups'
        ? 'Group Administrator (or Super Administrator)'
        : 'Organization Administrator (or Super Administrator)';
  return write ? `give the token's owner the ${role} role` : `give the token's owner at least Read-only Administrator`;
}
