/** Small builders of DesiredState for the reader's tests (the config loader is tested elsewhere). */
import { Secret } from '../../src/credentials.js';
import type { DesiredSpoke, DesiredState, InitialStatus } from '../../src/config/types.js';
import { createOktaClient } from '../../src/okta/client.js';
import type { OktaClient } from '../../src/okta/types.js';

export function desiredSpoke(name: string, url: string, parts: {
  users?: (string | { login: string; initialStatus?: InitialStatus; securityQuestion?: string })[];
  groups?: string[];
  push?: (string | { name: string; targetName?: string; link?: boolean })[];
} = {}): DesiredSpoke {
  return {
    name,
    url,
    auth: { kind: 'token', token: new Secret(`OKTA_${name.toUpperCase()}_TOKEN`, 'unused') },
    mode: 'managed',
    app: { label: 'Acme Hub', signOnMode: 'SAML_2_0' },
    provisioning: {},
    assignments: {
      mode: 'additive',
      users: (parts.users ?? []).map((u) => {
        const user = typeof u === 'string' ? { login: u } : u;
        return { login: user.login, loginKey: user.login.toLowerCase(), initialStatus: user.initialStatus ?? 'active_without_pass', ...(user.securityQuestion ? { securityQuestion: user.securityQuestion } : {}), profile: {} };
      }),
      groups: (parts.groups ?? []).map((g) => ({ name: g, profile: {} })),
    },
    pushGroups: {
      mode: 'additive',
      groups: (parts.push ?? []).map((p) => {
        const g = typeof p === 'string' ? { name: p } : p;
        return { name: g.name, targetName: g.targetName ?? g.name, link: g.link ?? false, status: 'ACTIVE' as const, remove: false, onRemove: 'keepTarget' as const };
      }),
    },
  };
}

export function desiredState(hubUrl: string, spokes: DesiredSpoke[]): DesiredState {
  return { file: 'test.yaml', digest: 'd'.repeat(64), hub: { url: hubUrl }, spokes };
}

export function simClient(org: string, baseUrl: string, token: string): OktaClient {
  return createOktaClient({ org, baseUrl, auth: { kind: 'token', token: new Secret(`TEST_${org.toUpperCase()}_TOKEN`, token) }, maxApiCapacity: 1, maxInFlight: 20 });
}
