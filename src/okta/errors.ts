/**
 * OktaApiError: the one error the client raises for an answer it can't turn into success.
 * Its message says what happened and what to do; it never contains a secret (paths are
 * masked, tokens are named by their environment variable).
 */
import { Org2OrgError } from '../errors.js';
import type { OrgAuth } from '../config/types.js';
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
    this.errorCode = details.errorCode;
    this.errorSummary = details.errorSummary;
    this.causes = details.causes;
    this.errorId = details.errorId;
    this.bucket = details.bucket;
    this.resetAt = details.resetAt;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }
}

function composeMessage(d: OktaApiErrorDetails, advice: string): string {
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
export function adviceFor(d: OktaApiErrorDetails, auth: OrgAuth, baseUrl: string): string {
  switch (d.errorCode) {
    case 'E0000011':
      return `Okta rejected ${credentialName(auth)} for org "${d.org}" (${baseUrl}): check that it is set, belongs to this org and has not expired or been revoked.`;
    case 'E0000006':
      return `The credential for org "${d.org}" lacks the admin role for this call: ${requiredRole(d.method, d.path, auth)}.`;
    case 'E0000047': {
      const when = d.resetAt ? ` It resets at ${new Date(d.resetAt * 1000).toISOString()}.` : '';
      return `The "${d.bucket}" rate-limit bucket of org "${d.org}" stayed exhausted through every retry.${when} Lower --max-api-capacity if other tools share this org, or run again later.`;
    }
    case 'E0000007':
      return 'The object no longer exists in Okta; run `org2org plan` again.';
    case 'E0000015':
      return `A feature this call needs is not enabled in org "${d.org}".`;
  }
  if (d.outcomeUnknown) {
    return 'The request may have reached Okta, so it was not sent again; run `org2org plan` to see whether it took effect.';
  }
  if (d.status === 0) return `Check that ${d.org}'s URL ${baseUrl} is reachable from here.`;
  if (d.status >= 500) return 'Okta failed on every retry; run again later (check status.okta.com).';
  if (d.status === 401) return `Okta rejected ${credentialName(auth)} for org "${d.org}".`;
  return '';
}

function requiredRole(method: HttpMethod, path: string, auth: OrgAuth): string {
  const write = method !== 'GET';
  let area: 'apps' | 'users' | 'groups' = 'apps';
  if (path.startsWith('/api/v1/users')) area = 'users';
  else if (path.startsWith('/api/v1/groups')) area = 'groups';
  if (auth.kind === 'oauth') return `grant the scope okta.${area}.${write ? 'manage' : 'read'} to service app ${auth.clientId} and list it in the config's scopes`;
  const role = area === 'apps' ? 'Application Administrator (or Super Administrator)' : area === 'groups' ? 'Group Administrator (or Super Administrator)' : 'Organization Administrator (or Super Administrator)';
  return write ? `give the token's owner the ${role} role` : `give the token's owner at least Read-only Administrator`;
}
