/**
 * A large spoke for the 100k test and the bench: `count` listed users of which a tenth are new,
 * a tenth drifted and the rest match, plus a tenth more live users that the file doesn't list.
 */
import { Secret } from '../../src/credentials.js';
import type { DesiredState, DesiredUserAssignment } from '../../src/config/types.js';
import type { DirectoryUser, LiveAppUser, LiveState } from '../../src/state/types.js';
import { desiredSpoke, desiredState } from '../builders/desired.js';
import { liveSpoke } from '../builders/live.js';

export function largeCase(count: number): { desired: DesiredState; live: LiveState } {
  const users: DesiredUserAssignment[] = [];
  const appUsers: LiveAppUser[] = [];
  const directory: Record<string, DirectoryUser> = {};
  for (let i = 0; i < count; i++) {
    const login = `user${i}@acme.com`;
    users.push({ login, loginKey: login, initialStatus: 'active_without_pass', profile: {}, pos: { line: i + 1, col: 9 } });
    directory[login] = { id: `00u${i}`, login, status: 'ACTIVE' };
    if (i % 10 === 0) continue; // not assigned yet
    const initialStatus = i % 10 === 1 ? 'pending_with_pass' : 'active_without_pass';
    appUsers.push({
      userId: `00u${i}`,
      login,
      loginKey: login,
      scope: 'USER',
      status: 'PROVISIONED',
      syncState: 'SYNCHRONIZED',
      initialStatus,
      profile: { initialStatus },
      fingerprint: `fp${i}`,
    });
  }
  for (let i = 0; i < count / 10; i++) {
    const login = `former${i}@acme.com`;
    appUsers.push({ userId: `00uf${i}`, login, loginKey: login, scope: 'USER', status: 'PROVISIONED', profile: {}, fingerprint: `ff${i}` });
  }
  const spoke = desiredSpoke('big', 'https://acme-big.okta.com', {
    auth: { kind: 'token', token: new Secret('OKTA_BIG_TOKEN', 'fake-token-big') },
    usersMode: 'authoritative',
  });
  // The users as built above, in the loader's shape: the bench plans exactly these objects.
  spoke.assignments.users = users;
  const desired = desiredState('https://acme.okta.com', [spoke], { digest: 'e'.repeat(64) });
  const live: LiveState = {
    spokes: {
      big: liveSpoke('big', {
        app: {
          id: '0oabig',
          label: 'Acme Hub',
          status: 'ACTIVE',
          signOnMode: 'SAML_2_0',
          baseUrl: 'https://acme.okta.com',
          features: [],
          fingerprint: 'fpapp',
        },
        appUserSchema: { initialStatus: 'initialStatus', initialStatusValues: [], attributes: ['initialStatus'] },
        appUsers,
        users: directory,
        rateLimits: [{ bucket: 'apps', limit: 100, remaining: 100, reset: 0 }],
      }),
    },
    readProblems: [],
  };
  return { desired, live };
}
