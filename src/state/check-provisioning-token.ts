/**
 * Okta accepts a provisioning token only from a Hub Super Administrator, and the token can never
 * be read back from the Spoke. So plan tests it the way the console's "Test API Credentials"
 * does: by calling the Hub with it (who am I, then my roles). Returns notes for the plan.
 */
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient } from '../okta/types.js';
import type { LiveState } from './types.js';

type Note = LiveState['notes'][number];

/** `hubAsProvisioner`: a client of the Hub authenticated with the spoke's provisioning token. */
export async function checkProvisioningToken(spoke: string, tokenName: string, hubAsProvisioner: OktaClient): Promise<Note[]> {
  try {
    const me = await hubAsProvisioner.get<{ id?: string; profile?: { login?: string } }>('/api/v1/users/me');
    const owner = me.profile?.login ?? String(me.id);
    const roles = await hubAsProvisioner.get<{ type?: string }[]>(`/api/v1/users/${encodeURIComponent(String(me.id))}/roles`);
    const types = roles.map((r) => r.type).filter((t): t is string => typeof t === 'string');
    if (types.includes('SUPER_ADMIN')) return [];
    return [
      {
        spoke,
        severity: 'error',
        message: `the provisioning token ${tokenName} belongs to ${owner}, who is not a Super Administrator in the Hub (roles: ${types.join(', ') || 'none'}); Okta only accepts a Super Administrator's token`,
      },
    ];
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 401) {
      return [{ spoke, severity: 'error', message: `the provisioning token ${tokenName} is not valid in the Hub (401): create a new token as a Hub Super Administrator` }];
    }
    if (err instanceof OktaApiError && err.status === 403) {
      // A token whose owner may not read their own roles is not a Super Administrator's.
      return [{ spoke, severity: 'error', message: `the provisioning token ${tokenName} may not read its owner's roles in the Hub (403): it is not a Super Administrator's token` }];
    }
    const why = err instanceof Error ? err.message : String(err);
    return [{ spoke, severity: 'warning', message: `the provisioning token ${tokenName} could not be tested against the Hub: ${why}` }];
  }
}
