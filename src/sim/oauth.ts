/**
 * `/oauth2/v1/token`: client credentials with a `private_key_jwt` assertion (RS256 or ES256),
 * verified with node:crypto against the client's JWKS (`jwks.keys`, or the `jwks_uri` another
 * simulated org serves); answers Bearer access tokens. The Org2Org engine goes through the same
 * verification (`clientCredentials`) when a Spoke app authenticates to its Hub.
 */
import { createPublicKey, randomBytes, randomUUID, sign, verify, type JsonWebKey } from 'node:crypto';
import type { SimApp, SimOAuthClient, SimOrg } from './org-state.js';
import { keyPair, signingKey } from './org-state.js';
import type { SimWorld } from './provisioning.js';
import type { RequestContext, Reply, RouteSpec } from './router.js';
import { verifyDpopProof } from './dpop.js';
import { clientActor, currentActing, logEvent } from './log-events.js';
import { simNow } from './clock.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ACCESS_TOKEN_SECONDS = 3600;

export interface OAuthFailure {
  status: number;
  error: string;
  description: string;
}

function failure(status: number, error: string, description: string): OAuthFailure {
  return { status, error, description };
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const JWKS_PATH = /^\/api\/v1\/apps\/([^/]+)\/connections\/default\/jwks$/;

/** The keys a simulated org serves at `uri` (an app's connection JWKS), or undefined when none answers. */
export function resolveJwksUri(world: SimWorld, uri: string): Record<string, unknown>[] | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const org = world.orgByUrl(url.origin);
  const appId = JWKS_PATH.exec(url.pathname)?.[1];
  const app = org && appId ? org.apps.get(decodeURIComponent(appId)) : undefined;
  return app ? connectionKeys(app) : undefined;
}

/** The public keys of an app's provisioning connection: its signing key in use. */
export function connectionKeys(app: SimApp): Record<string, unknown>[] {
  const key = signingKey(app);
  return key ? [keyPair(key).publicJwk] : [];
}

function trustedKeys(world: SimWorld, client: SimOAuthClient): Record<string, unknown>[] {
  if (client.jwks) return client.jwks;
  return client.jwksUri ? (resolveJwksUri(world, client.jwksUri) ?? []) : [];
}

/**
 * Client credentials as Okta's token endpoint checks them: the client exists, is active, may use
 * the grant, signed the assertion with a key it registered, and was granted every scope asked for.
 */
export function clientCredentials(
  world: SimWorld,
  org: SimOrg,
  assertion: string,
  requested: string[],
): { accessToken: string; scopes: string[] } | OAuthFailure {
  const [h, p, s] = assertion.split('.');
  const header = decodeSegment(h);
  const claims = decodeSegment(p);
  if (!header || !claims || !s) return failure(401, 'invalid_client', 'The client_assertion is not a well-formed JWT.');
  const clientId = claims.iss;
  const app = typeof clientId === 'string' ? org.oauthClient(clientId) : undefined;
  if (!app || claims.sub !== clientId) return failure(401, 'invalid_client', 'The client_assertion iss/sub does not name a known client.');
  if (app.status !== 'ACTIVE') return failure(401, 'invalid_client', 'The client is not active.');
  if (app.oauth.tokenEndpointAuthMethod !== 'private_key_jwt') {
    return failure(401, 'invalid_client', `The client authenticates with ${app.oauth.tokenEndpointAuthMethod}, not private_key_jwt.`);
  }
  if (!app.oauth.grantTypes.includes('client_credentials')) {
    return failure(
      400,
      'unauthorized_client',
      'The client is not authorized to use the provided grant type. Configured grant types: ' + app.oauth.grantTypes.join(', ') + '.',
    );
  }
  const audience = `${org.url}/oauth2/v1/token`;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience)) return failure(401, 'invalid_client', `The audience of the client_assertion must be ${audience}.`);
  const nowSec = simNow() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < nowSec)
    return failure(401, 'invalid_client', 'The client_assertion token is expired.');
  if (typeof claims.jti === 'string' && org.usedJtis.has(claims.jti))
    return failure(401, 'invalid_client', 'The client_assertion token has already been used.');
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'ES256') return failure(401, 'invalid_client', 'The client_assertion must be signed with RS256 or ES256.');
  const keys = trustedKeys(world, app.oauth);
  const candidates = typeof header.kid === 'string' ? keys.filter((k) => k.kid === undefined || k.kid === header.kid) : keys;
  if (candidates.length === 0) {
    return failure(
      401,
      'invalid_client',
      typeof header.kid === 'string'
        ? `The client_assertion was signed with a key (kid ${header.kid}) the client does not have.`
        : 'The client has no keys.',
    );
  }
  const signed = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const valid = candidates.some((jwk) => {
    try {
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      return alg === 'RS256'
        ? key.asymmetricKeyType === 'rsa' && verify('sha256', signed, key, signature)
        : key.asymmetricKeyType === 'ec' && verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  });
  if (!valid) return failure(401, 'invalid_client', 'The client_assertion signature is invalid.');
  if (typeof claims.jti === 'string') org.usedJtis.add(claims.jti);
  if (requested.length === 0) return failure(400, 'invalid_scope', 'The authorization server requires a scope.');
  const granted = new Set(app.grants.values().map((g) => g.scopeId));
  const denied = requested.filter((sc) => !granted.has(sc));
  if (denied.length > 0) return failure(400, 'invalid_scope', `The following scopes are not granted to the client: ${denied.join(' ')}`);
  const accessToken = `sim.at.${randomBytes(18).toString('base64url')}`;
  org.accessTokens.set(accessToken, {
    clientId: app.oauth.clientId,
    scopes: new Set(requested),
    expiresAt: simNow() + ACCESS_TOKEN_SECONDS * 1000,
  });
  // The authorization server's org logs each token it issues (state-neutral: nothing in the org changed), as the client.
  if (currentActing()) {
    logEvent(org, {
      eventType: 'app.oauth2.token.grant.access_token',
      displayMessage: 'OAuth2 access token is granted',
      targets: [
        {
          id: `AT.${randomUUID().replace(/-/g, '').slice(0, 20)}`,
          type: 'access_token',
          alternateId: 'unknown',
          displayName: 'Access Token',
          detailEntry: null,
        },
      ],
      by: { actor: clientActor(app.oauth.clientId, app.label), console: false, requestUri: '/oauth2/v1/token' },
    });
  }
  return { accessToken, scopes: requested };
}

/** A `private_key_jwt` assertion signed with an app's signing key in use, as Okta's Org2Org connection makes it. */
export function appAssertion(app: SimApp, clientId: string, audience: string): string | undefined {
  const key = signingKey(app);
  if (!key) return undefined;
  const { privateKey } = keyPair(key);
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(simNow() / 1000);
  const input = `${enc({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${enc({ iss: clientId, sub: clientId, aud: audience, iat, exp: iat + 300, jti: randomUUID() })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** The DPoP-bound client an assertion names (without verifying it: that comes after the proof). */
function dpopClient(org: SimOrg, assertion: string): boolean {
  const clientId = decodeSegment(assertion.split('.')[1])?.iss;
  return typeof clientId === 'string' && org.oauthClient(clientId)?.oauth.dpopBound === true;
}

function issueToken(ctx: RequestContext): Reply {
  const form = new URLSearchParams(ctx.rawBody);
  const oauthError = (f: OAuthFailure): Reply => ({ status: f.status, body: { error: f.error, error_description: f.description } });
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(failure(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.'));
  }
  const assertion = form.get('client_assertion');
  if (form.get('client_assertion_type') !== ASSERTION_TYPE || !assertion) {
    return oauthError(failure(401, 'invalid_client', 'Client authentication failed: a private_key_jwt client_assertion is required.'));
  }
  const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
  // A DPoP-bound service app (recorded: 400 invalid_dpop_proof without a proof) needs a valid proof
  // carrying the server's nonce before its credentials are even looked at.
  const bound = dpopClient(ctx.org, assertion);
  let jkt: string | undefined;
  if (bound) {
    const proof = verifyDpopProof(ctx.dpop, { method: 'POST', url: `${ctx.org.url}/oauth2/v1/token`, usedJtis: ctx.org.usedJtis });
    if (typeof proof === 'string') return oauthError(failure(400, 'invalid_dpop_proof', proof));
    if (proof.nonce !== ctx.org.dpopNonce) {
      return {
        status: 400,
        body: { error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof.' },
        headers: { 'dpop-nonce': ctx.org.dpopNonce, 'cache-control': 'no-store' },
      };
    }
    jkt = proof.jkt;
  }
  const result = clientCredentials(ctx.world, ctx.org, assertion, requested);
  if ('error' in result) return oauthError(result);
  if (jkt !== undefined) ctx.org.accessTokens.get(result.accessToken)!.jkt = jkt;
  return {
    status: 200,
    body: {
      token_type: jkt !== undefined ? 'DPoP' : 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      access_token: result.accessToken,
      scope: result.scopes.join(' '),
    },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}

export const OAUTH_ROUTES: RouteSpec[] = [
  { method: 'POST', template: '/oauth2/v1/token', handler: issueToken, resource: 'none', write: true, bucket: 'oauth' },
];
