/**
 * Which Okta org a URL names. Shared by every layer that compares an app's base URL with the
 * Hub: plan, check, export and the app-identity rules.
 */

/** Okta's own domains, where `<org>-admin.<domain>` is the Admin Console's name for `<org>.<domain>`. */
const OKTA_DOMAINS = /\.(okta\.com|oktapreview\.com|okta-emea\.com|okta-gov\.com|okta\.mil)$/;

/**
 * The org an Okta URL names, as a comparable origin: lower case, no path, and the Admin Console's
 * `-admin` host folded into the org's own (`https://acme-admin.okta.com` → `https://acme.okta.com`).
 * Real Org2Org apps often carry the Hub's `-admin` domain as base URL (recorded); it is the same Hub.
 */
export function oktaOrgOrigin(url: string): string {
  const parsed = parseUrl(url.trim());
  if (parsed === undefined) return url.trim().replace(/\/+$/, '').toLowerCase();
  let host = parsed.hostname.toLowerCase();
  const dot = host.indexOf('.');
  if (dot > 0 && OKTA_DOMAINS.test(host) && host.slice(0, dot).endsWith('-admin'))
    host = host.slice(0, dot - '-admin'.length) + host.slice(dot);
  return `${parsed.protocol}//${host}${parsed.port ? `:${parsed.port}` : ''}`;
}

/** Whether two URLs name the same Okta org (see oktaOrgOrigin). */
export function sameOktaOrg(a: string, b: string): boolean {
  return oktaOrgOrigin(a) === oktaOrgOrigin(b);
}

/** `text` as an absolute URL; undefined when it is not one (each caller words its own error). */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
