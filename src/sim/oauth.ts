/**
 * `/oauth2/v1/token`: client credentials with a `private_key_jwt` assertion (RS256 or ES256),
 * verified with node:crypto against the service app's public JWK; answers Bearer access tokens.
 */
import { createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import type { RequestContext, Reply, RouteSpec } from './router.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ACCESS_TOKEN_SECONDS = 3600;

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
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

function issueToken(ctx: RequestContext): Reply {
  const form = new URLSearchParams(ctx.rawBody);
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
  }
  const assertion = form.get('client_assertion');
  if (form.get('client_assertion_type') !== ASSERTION_TYPE || !assertion) {
    return oauthError(401, 'invalid_client', 'Client authentication failed: a private_key_jwt client_assertion is required.');
  }
  const [h, p, s] = assertion.split('.');
  const header = decodeSegment(h);
  const claims = decodeSegment(p);
  if (!header || !claims || !s) return oauthError(401, 'invalid_client', 'The client_assertion is not a well-formed JWT.');
  const clientId = claims.iss;
  const app = typeof clientId === 'string' ? ctx.org.serviceApps.get(clientId) : undefined;
  if (!app || claims.sub !== clientId) return oauthError(401, 'invalid_client', 'The client_assertion iss/sub does not name a known client.');
  const audience = `${ctx.org.url}/oauth2/v1/token`;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience)) return oauthError(401, 'invalid_client', `The audience of the client_assertion must be ${audience}.`);
  const nowSec = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < nowSec) return oauthError(401, 'invalid_client', 'The client_assertion token is expired.');
  if (typeof claims.jti === 'string') {
    if (ctx.org.usedJtis.has(claims.jti)) return oauthError(401, 'invalid_client', 'The client_assertion token has already been used.');
  }
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'ES256') return oauthError(401, 'invalid_client', 'The client_assertion must be signed with RS256 or ES256.');
  let valid = false;
  try {
    const key = createPublicKey({ key: app.publicJwk as JsonWebKey, format: 'jwk' });
    const signed = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(s, 'base64url');
    valid = alg === 'RS256'
      ? key.asymmetricKeyType === 'rsa' && verify('sha256', signed, key, signature)
      : key.asymmetricKeyType === 'ec' && verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    valid = false;
  }
  if (!valid) return oauthError(401, 'invalid_client', 'The client_assertion signature is invalid.');
  if (typeof claims.jti === 'string') ctx.org.usedJtis.add(claims.jti);
  const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (requested.length === 0) return oauthError(400, 'invalid_scope', 'The authorization server requires a scope.');
  const denied = requested.filter((sc) => !app.scopes.includes(sc));
  if (denied.length > 0) return oauthError(400, 'invalid_scope', `The following scopes are not granted to the client: ${denied.join(' ')}`);
  const accessToken = `sim.at.${randomBytes(18).toString('base64url')}`;
  ctx.org.accessTokens.set(accessToken, { clientId: app.clientId, scopes: new Set(requested), expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000 });
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, access_token: accessToken, scope: requested.join(' ') },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}

export const OAUTH_ROUTES: RouteSpec[] = [
  { method: 'POST', template: '/oauth2/v1/token', handler: issueToken, resource: 'none', write: true, bucket: 'oauth' },
];
