/**
 * Okta accepts a provisioning token only from a Hub Super Administrator, and the token can never
 * be read back from the Spoke. So it is tested the way the console's "Test API Credentials" does:
 * by calling the Hub with it (who am I, then my roles). One probe for `plan` (a note on the plan)
 * and `check` (a row of its table), so the two never disagree about a token.
 */
import { OktaApiError } from '../okta/errors.js';
import type { OktaClient } from '../okta/types.js';
import type { LiveState } from './types.js';

type Note = LiveState['readProblems'][number];

/** What the Hub says of a provisioning token. */
export interface ProvisioningTokenProbe {
  /** Login (or id) of the token's owner, when the token is valid. */
  owner?: string;
  /** The owner's user id. */
  ownerId?: string;
  /** The owner's admin role types, when they could be read. */
  roles?: string[];
  /** Why the token is refused (error) or could not be tested (warning); none for a Super Administrator's token. */
  finding?: { severity: 'error' | 'warning'; message: string };
}

/** `hubAsProvisioner`: a client of the Hub authenticated with the provisioning token named `tokenName`. */
export async function probeProvisioningToken(tokenName: string, hubAsProvisioner: OktaClient): Promise<ProvisioningTokenProbe> {
  const probe: ProvisioningTokenProbe = {};
  try {
    const me = await hubAsProvisioner.get<{ id?: string; profile?: { login?: string } }>('/api/v1/users/me');
    probe.owner = me.profile?.login ?? String(me.id);
    if (typeof me.id === 'string') probe.ownerId = me.id;
    const roles = await hubAsProvisioner.get<{ type?: string }[]>(`/api/v1/users/${encodeURIComponent(String(me.id))}/roles`);
    probe.roles = roles
      .map((r) => r.type)
      .filter((t): t is string => typeof t === 'string')
      .sort();
    if (!probe.roles.includes('SUPER_ADMIN')) {
      const message = `the provisioning token ${tokenName} belongs to ${probe.owner}, who is not a Super Administrator in the Hub (roles: ${probe.roles.join(', ') || 'none'}); Okta only accepts a Super Administrator's token`;
      probe.finding = { severity: 'error', message };
    }
  } catch (err) {
    probe.finding = failedProbe(tokenName, err);
  }
  return probe;
}

function failedProbe(tokenName: string, err: unknown): NonNullable<ProvisioningTokenProbe['finding']> {
  if (err instanceof OktaApiError && err.status === 401) {
    return {
      severity: 'error',
      message: `the provisioning token ${tokenName} is not valid in the Hub (401): create a new token as a Hub Super Administrator`,
    };
  }
  if (err instanceof OktaApiError && err.status === 403) {
    // A token whose owner may not read their own roles is not a Super Administrator's.
    return {
      severity: 'error',
      message: `the provisioning token ${tokenName} may not read its owner's roles in the Hub (403): it is not a Super Administrator's token`,
    };
  }
  const why = err instanceof Error ? err.message : String(err);
  return { severity: 'warning', message: `the provisioning token ${tokenName} could not be tested against the Hub: ${why}` };
}

/** The probe as the plan's notes about `spoke`. */
export async function checkProvisioningToken(spoke: string, tokenName: string, hubAsProvisioner: OktaClient): Promise<Note[]> {
  const { finding } = await probeProvisioningToken(tokenName, hubAsProvisioner);
  return finding ? [{ spoke, ...finding }] : [];
}
