/**
 * What else trusts a Spoke Org2Org app's signing key. On a `SAML_2_0` app, `credentials.signing.kid`
 * is also the SAML signing certificate, and a Hub identity provider may trust that certificate for
 * SSO from the Spoke: changing the kid (rotate-keys) breaks that sign-in until the IdP trusts the
 * new certificate. Okta's IdPs name the certificate they trust by an IdP key credential
 * (`protocol.credentials.trust.kid` → `/api/v1/idps/credentials/keys/{kid}`, with `x5c`); a
 * certificate matches the Spoke key when its public key has the same modulus.
 */
import { X509Certificate } from 'node:crypto';
import { OktaApiError } from './errors.js';
import type { PublicKey } from './service-app.js';
import type { OktaClient } from './types.js';

type Json = Record<string, unknown>;

export interface TrustingIdp {
  id: string;
  name: string;
  status: string;
}

/** The Hub's SAML IdPs trusting this key, or why they could not be read (not readable is not "none"). */
export type SamlTrust = { idps: TrustingIdp[] } | { unreadable: string };

export async function hubIdpsTrustingKey(hub: OktaClient, key: PublicKey): Promise<SamlTrust> {
  if (key.n === undefined) return { unreadable: `the Spoke key ${key.kid ?? '?'} has no RSA modulus to compare` };
  try {
    const idps: Json[] = [];
    for await (const page of hub.pages<Json>('/api/v1/idps', { type: 'SAML2' })) idps.push(...page);
    const found: TrustingIdp[] = [];
    const moduli = new Map<string, string | undefined>();
    for (const idp of idps) {
      const kid = (((idp.protocol as Json | undefined)?.credentials as Json | undefined)?.trust as Json | undefined)?.kid;
      if (typeof kid !== 'string' || (idp.type !== undefined && idp.type !== 'SAML2')) continue;
      if (!moduli.has(kid)) moduli.set(kid, modulusOf(await hub.get<Json>(`/api/v1/idps/credentials/keys/${encodeURIComponent(kid)}`)));
      if (moduli.get(kid) === key.n)
        found.push({ id: String(idp.id), name: String(idp.name ?? idp.id), status: String(idp.status ?? 'UNKNOWN') });
    }
    return { idps: found };
  } catch (err) {
    if (err instanceof OktaApiError && (err.status === 401 || err.status === 403 || err.status === 404))
      return {
        unreadable:
          `the Hub's identity providers could not be read with the Hub credential (${err.status} ${err.errorSummary ?? ''})`.trim(),
      };
    throw err;
  }
}

/** The RSA modulus of an IdP key credential: its `n`, else the certificate's public key. */
function modulusOf(key: Json): string | undefined {
  const x5c = key.x5c;
  if (Array.isArray(x5c) && typeof x5c[0] === 'string') {
    try {
      const jwk = new X509Certificate(Buffer.from(x5c[0].replace(/\s+/g, ''), 'base64')).publicKey.export({ format: 'jwk' });
      if (typeof jwk.n === 'string') return jwk.n;
    } catch {
      // An unreadable certificate is compared by `n`, if any.
    }
  }
  return typeof key.n === 'string' ? key.n : undefined;
}
