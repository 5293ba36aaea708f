/**
 * DPoP proofs (RFC 9449) as a server checks them: a JWT typed `dpop+jwt`, signed (ES256 or RS256)
 * by the public key in its own header, for this method and URL, recent, never replayed, bound to
 * the access token (`ath`) on API calls and to the server's nonce where one is required.
 */
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { simNow } from './clock.js';

const MAX_AGE_SECONDS = 300;

export interface VerifiedProof {
  /** RFC 7638 thumbprint of the proof's key: what a DPoP-bound token is bound to. */
  jkt: string;
  nonce?: string;
}

/** RFC 7638: SHA-256 of the key's required members, in lexical order. */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

function segment(s: string | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The proof's key thumbprint and nonce, or why it is not a valid proof for this request. */
export function verifyDpopProof(
  proof: string | undefined,
  expect: { method: string; url: string; accessToken?: string; usedJtis: Set<string> },
): VerifiedProof | string {
  if (!proof) return 'The DPoP proof JWT header is missing.';
  const [h, p, s] = proof.split('.');
  const header = segment(h);
  const claims = segment(p);
  if (!header || !claims || !s) return 'The DPoP proof is not a well-formed JWT.';
  if (header.typ !== 'dpop+jwt') return "The DPoP proof's typ must be dpop+jwt.";
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== 'object' || 'd' in jwk) return 'The DPoP proof must carry a public jwk in its header.';
  const alg = header.alg;
  let valid = false;
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const input = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(s, 'base64url');
    if (alg === 'ES256' && key.asymmetricKeyType === 'ec') valid = verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    else if (alg === 'RS256' && key.asymmetricKeyType === 'rsa') valid = verify('sha256', input, key, signature);
  } catch {
    valid = false;
  }
  if (!valid) return 'The DPoP proof signature is invalid.';
  if (claims.htm !== expect.method) return `The DPoP proof's htm must be ${expect.method}.`;
  if (claims.htu !== expect.url) return `The DPoP proof's htu must be ${expect.url}.`;
  const now = simNow() / 1000;
  if (typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > MAX_AGE_SECONDS) return 'The DPoP proof is expired or not yet valid.';
  if (typeof claims.jti !== 'string' || expect.usedJtis.has(claims.jti)) return 'The DPoP proof jti is missing or was used before.';
  if (expect.accessToken !== undefined) {
    const ath = createHash('sha256').update(expect.accessToken).digest('base64url');
    if (claims.ath !== ath) return "The DPoP proof's ath does not match the access token.";
  }
  expect.usedJtis.add(claims.jti);
  return { jkt: jwkThumbprint(jwk), ...(typeof claims.nonce === 'string' ? { nonce: claims.nonce } : {}) };
}
