/**
 * Credentials for one org: an SSWS API token, or an OAuth 2.0 service app that authenticates with
 * a `private_key_jwt` client assertion (RS256 for RSA keys, ES256 for EC P-256), signed here with
 * node:crypto. Access tokens are cached until shortly before they expire.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Org2OrgError } from '../errors.js';
import type { OrgAuth } from '../credentials.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ServiceAppKey {
  key: KeyObject;
  alg: 'RS256' | 'ES256';
  kid?: string;
}

/** Parse the service app's private key (PEM, or a JWK as JSON). The message never quotes the key. */
export function readServiceAppKey(auth: Extract<OrgAuth, { kind: 'oauth' }>): ServiceAppKey {
  const text = auth.privateKey.reveal().trim();
  let key: KeyObject;
  let kid = auth.keyId;
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey & { kid?: string };
      kid ??= jwk.kid;
      key = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      // Environment variables often carry PEMs with literal "\n".
      key = createPrivateKey(text.includes('\\n') ? text.replace(/\\n/g, '\n') : text);
    }
  } catch {
    throw new Org2OrgError(`The private key in ${auth.privateKey.envVar} is not a valid PEM or JWK private key.`);
  }
  if (key.asymmetricKeyType === 'rsa') return { key, alg: 'RS256', ...(kid ? { kid } : {}) };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return { key, alg: 'ES256', ...(kid ? { kid } : {}) };
  throw new Org2OrgError(
    `The private key in ${auth.privateKey.envVar} must be an RSA or EC P-256 key (Okta signs client assertions with RS256 or ES256).`,
  );
}

/** A signed client assertion for `POST {baseUrl}/oauth2/v1/token`, valid for five minutes. */
export function signClientAssertion(clientId: string, audience: string, key: ServiceAppKey, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: key.alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}) };
  const claims = { iss: clientId, sub: clientId, aud: audience, iat, exp: iat + 300, jti: randomUUID() };
  const input = `${b64(header)}.${b64(claims)}`;
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.key)
      : sign('sha256', Buffer.from(input), { key: key.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export interface AccessToken {
  value: string;
  /** `token_type` as Okta answered: a DPoP-bound token goes out as `Authorization: DPoP …` with a proof. */
  type: 'Bearer' | 'DPoP';
  /** Local epoch ms after which it must not be used. */
  usableUntil: number;
}

/** Keep a margin so a token never expires between being picked and reaching Okta. */
export function usableUntil(nowMs: number, expiresInSeconds: number): number {
  const lifetime = Math.max(0, expiresInSeconds) * 1000;
  return nowMs + lifetime - Math.min(60_000, lifetime / 10);
}

/**
 * DPoP (RFC 9449) for a service app that requires DPoP-bound access tokens: one key pair per run
 * (ES256, node:crypto), a fresh proof JWT for every request (the token request and each API call),
 * bound to the method and URL, to the access token (`ath`) and to the server's nonce when it gave one.
 */
export interface DpopKey {
  privateKey: KeyObject;
  /** The public JWK carried in every proof's header. */
  jwk: Record<string, string>;
}

export function newDpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  return { privateKey, jwk: { kty: kty!, crv: crv!, x: x!, y: y! } };
}

/** `htu`: the request URL without query and fragment (RFC 9449 §4.2). */
export function dpopTarget(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export function dpopProof(
  key: DpopKey,
  method: string,
  url: URL,
  nowMs: number,
  bound: { accessToken?: string; nonce?: string } = {},
): string {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk };
  const claims: Record<string, unknown> = { jti: randomUUID(), htm: method, htu: dpopTarget(url), iat: Math.floor(nowMs / 1000) };
  if (bound.accessToken !== undefined) claims.ath = createHash('sha256').update(bound.accessToken).digest('base64url');
  if (bound.nonce !== undefined) claims.nonce = bound.nonce;
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
