/**
 * The guard flags `plan` and `apply` share: what a person allows beyond the guards' defaults.
 * `plan` records them in the plan (its allowances); `apply` of a fresh plan takes them as given;
 * `apply PLAN.json` takes none and honours the saved plan's.
 */
import { UsageError } from '../errors.js';
import { DEFAULT_ALLOWANCES, DEFAULT_MAX_REMOVALS } from '../plan/guards.js';
import type { Allowances } from '../plan/types.js';
import type { FlagSpecs, ParsedArgs } from './args.js';

export const ALLOWANCE_FLAGS = {
  'max-removals': { type: 'string' },
  'allow-delete-target-groups': { type: 'boolean' },
  'allow-disable-connection': { type: 'boolean' },
  'allow-delete-service-apps': { type: 'boolean' },
  'allow-hub-change': { type: 'boolean' },
  'allow-remove-required-access': { type: 'boolean' },
  'allow-remove-attribute-mappings': { type: 'boolean' },
} as const satisfies FlagSpecs;

export const ALLOWANCE_HELP = `      --max-removals N            most people one apply may unprovision: users unassigned, members of
                                  groups unassigned, users of a connection switched off (default ${DEFAULT_MAX_REMOVALS})
      --allow-delete-target-groups  allow removing a push mapping together with its Hub group
      --allow-disable-connection  allow switching a provisioning connection off
      --allow-delete-service-apps allow removing a Hub service app org2org made for a Spoke
      --allow-hub-change          allow pointing an existing Spoke app at another Hub (its base URL)
      --allow-remove-required-access  allow revoking a scope or role provisioning needs
                                  (okta.users.manage, okta.groups.manage, USER_ADMIN,
                                  GROUP_MEMBERSHIP_ADMIN) from a managed Hub service app
      --allow-remove-attribute-mappings  allow removing a mapping that carries an attribute to the Hub`;

/** The allowances the flags give, and whether any flag was given at all. */
export function allowancesOf(parsed: ParsedArgs): { allowances: Allowances; given: string[] } {
  const removals = parsed.string('max-removals');
  const maxRemovals = removals === undefined ? DEFAULT_MAX_REMOVALS : Number(removals);
  if (!Number.isInteger(maxRemovals) || maxRemovals < 0)
    throw new UsageError(`--max-removals must be a whole number ≥ 0 (got "${removals}").`);
  const given = Object.keys(ALLOWANCE_FLAGS)
    .filter((name) => (name === 'max-removals' ? removals !== undefined : parsed.flag(name)))
    .map((name) => `--${name}`);
  return {
    allowances: {
      ...DEFAULT_ALLOWANCES,
      maxRemovals,
      allowDeleteTargetGroups: parsed.flag('allow-delete-target-groups'),
      allowDisableConnection: parsed.flag('allow-disable-connection'),
      allowDeleteServiceApps: parsed.flag('allow-delete-service-apps'),
      allowHubChange: parsed.flag('allow-hub-change'),
      allowRemoveRequiredAccess: parsed.flag('allow-remove-required-access'),
      allowRemoveAttributeMappings: parsed.flag('allow-remove-attribute-mappings'),
    },
    given,
  };
}
