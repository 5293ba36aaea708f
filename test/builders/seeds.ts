/** Simulator seeds several test files start from. */
import { loadSeed, seedUsers, type SimSeed } from '../../src/sim/index.js';

/**
 * The demo seed (examples/sim/seed.yaml) plus an apac Acme Hub app that 30 people reach only
 * through the group "APAC Temps": unassigning that one group, or switching the connection off,
 * unprovisions 30 people — more than the default --max-removals 25.
 */
export function thirtyTemps(): SimSeed {
  const seed = loadSeed('examples/sim/seed.yaml');
  const temps = seedUsers(30, { prefix: 'temp', domain: 'apac.acme.com' });
  const apac = seed.orgs.apac!;
  apac.users = [...(apac.users ?? []), ...temps];
  apac.groups = [...(apac.groups ?? []), { name: 'APAC Temps', members: temps.map((u) => u.login) }];
  apac.apps = [
    {
      label: 'Acme Hub',
      hub: 'hub',
      connection: { authScheme: 'TOKEN', token: 'hub/OKTA_HUB_PROVISIONING_TOKEN' },
      provisioning: { createUsers: true, updateUserAttributes: true, deactivateUsers: false, syncPassword: false },
      groups: ['APAC Temps'],
    },
  ];
  return seed;
}
