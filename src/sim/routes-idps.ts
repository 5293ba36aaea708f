/**
 * The Hub's identity providers (`/api/v1/idps`) as far as a SAML trust goes: a SAML2 IdP trusts
 * the certificate held as an IdP key credential (`protocol.credentials.trust.kid` →
 * `/api/v1/idps/credentials/keys/{kid}`, with `x5c`), as in the recorded IdPs of the Terraform
 * provider's cassettes. An Org2Org Spoke's SAML signing certificate is what such an IdP trusts
 * for SSO from that Spoke; rotate-keys looks here before changing it.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { SimIdp, SimIdpKey, SimOrg } from './org-state.js';
import { invalid, notFound, objectBody, type Reply, type RequestContext, type RouteSpec } from './router.js';
import { simNow } from './clock.js';

export function idpJson(org: SimOrg, idp: SimIdp): Record<string, unknown> {
  const base = `${org.url}/api/v1/idps/${idp.id}`;
  return {
    id: idp.id,
    type: 'SAML2',
    issuerMode: 'ORG_URL',
    name: idp.name,
    status: idp.status,
    created: idp.created,
    lastUpdated: idp.lastUpdated,
    protocol: {
      type: 'SAML2',
      endpoints: {
        sso: { url: idp.ssoUrl, binding: 'HTTP-POST', destination: idp.ssoUrl },
        acs: { binding: 'HTTP-POST', type: 'INSTANCE' },
      },
      algorithms: {
        request: { signature: { algorithm: 'SHA-256', scope: 'REQUEST' } },
        response: { signature: { algorithm: 'SHA-256', scope: 'ANY' } },
      },
      settings: { nameFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', honorPersistentNameId: false },
      credentials: {
        trust: {
          issuer: idp.issuer,
          audience: `${org.url}/saml2/service-provider/${idp.id}`,
          kid: idp.trustKid,
          revocation: null,
          revocationCacheLifetime: 0,
        },
      },
    },
    policy: { provisioning: { action: 'AUTO', profileMaster: false, groups: { action: 'NONE' } }, maxClockSkew: 0 },
    _links: { self: { href: base }, deactivate: { href: `${base}/lifecycle/deactivate` } },
  };
}

export function idpKeyJson(key: SimIdpKey): Record<string, unknown> {
  const cert = new X509Certificate(Buffer.from(key.x5c[0]!, 'base64'));
  const { kty, e, n } = cert.publicKey.export({ format: 'jwk' });
  return {
    kty,
    created: key.created,
    lastUpdated: key.created,
    expiresAt: new Date(cert.validTo).toISOString(),
    alg: 'RSA',
    kid: key.kid,
    use: 'sig',
    x5c: key.x5c,
    e,
    n,
    'x5t#S256': createHash('sha256').update(cert.raw).digest('base64url'),
  };
}

function listIdps(ctx: RequestContext): Reply {
  const type = ctx.query.get('type');
  const idps = ctx.org.idps.values().filter(() => type === null || type === 'SAML2');
  return { status: 200, body: idps.map((i) => idpJson(ctx.org, i)) };
}

function getIdp(ctx: RequestContext): Reply {
  const idp = ctx.org.idps.get(ctx.params.idpId!);
  if (!idp) throw notFound(ctx.params.idpId);
  return { status: 200, body: idpJson(ctx.org, idp) };
}

function listIdpKeys(ctx: RequestContext): Reply {
  return { status: 200, body: [...ctx.org.idpKeys.values()].map(idpKeyJson) };
}

function getIdpKey(ctx: RequestContext): Reply {
  const key = ctx.org.idpKeys.get(ctx.params.kid!);
  if (!key) throw notFound(ctx.params.kid);
  return { status: 200, body: idpKeyJson(key) };
}

function addIdpKey(ctx: RequestContext): Reply {
  const body = objectBody(ctx);
  const x5c = body.x5c;
  if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') throw invalid('x5c', ['x5c: a certificate chain (base64 DER) is required']);
  try {
    new X509Certificate(Buffer.from(x5c[0], 'base64'));
  } catch {
    throw invalid('x5c', ['x5c: not a valid X.509 certificate']);
  }
  return { status: 200, body: idpKeyJson(ctx.org.addIdpKey(x5c as string[])) };
}

function replaceIdp(ctx: RequestContext): Reply {
  const idp = ctx.org.idps.get(ctx.params.idpId!);
  if (!idp) throw notFound(ctx.params.idpId);
  const body = objectBody(ctx) as { name?: unknown; protocol?: { credentials?: { trust?: { kid?: unknown } } } };
  const kid = body.protocol?.credentials?.trust?.kid;
  if (typeof kid !== 'string' || !ctx.org.idpKeys.has(kid))
    throw invalid('protocol.credentials.trust.kid', ['protocol.credentials.trust.kid: not an IdP key credential of this org']);
  idp.trustKid = kid;
  if (typeof body.name === 'string' && body.name !== '') idp.name = body.name;
  idp.lastUpdated = new Date(simNow()).toISOString();
  return { status: 200, body: idpJson(ctx.org, idp) };
}

const route = (method: string, template: string, handler: RouteSpec['handler']): RouteSpec => ({
  method,
  template,
  handler,
  write: method !== 'GET',
  resource: 'idps',
  bucket: 'default',
});

export const IDP_ROUTES: RouteSpec[] = [
  route('GET', '/api/v1/idps', listIdps),
  route('GET', '/api/v1/idps/credentials/keys', listIdpKeys),
  route('POST', '/api/v1/idps/credentials/keys', addIdpKey),
  route('GET', '/api/v1/idps/credentials/keys/{kid}', getIdpKey),
  route('GET', '/api/v1/idps/{idpId}', getIdp),
  route('PUT', '/api/v1/idps/{idpId}', replaceIdp),
];
