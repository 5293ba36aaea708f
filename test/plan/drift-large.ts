/**
 * A drift plan of 1,000 changes as a scheduled drift check sees it on a large Spoke: 960
 * provisioned users whose initialStatus was changed in the file (no effect in Okta: the Hub user
 * exists), 30 security questions changed (each with the write-only-answer note), 10 new
 * assignments, and a TOKEN connection that matches.
 */
import type { LiveAppUser, DirectoryUser, LiveState } from '../../src/state/types.js';
import type { DesiredState } from '../../src/config/types.js';
import { desiredFromJson } from '../builders/desired.js';
import { liveAppUser, liveSpoke } from '../builders/live.js';

export const DRIFT_CHANGES = 1000;

export function driftCase(): { desired: DesiredState; live: LiveState } {
  const users: Record<string, unknown>[] = [];
  const appUsers: LiveAppUser[] = [];
  const directory: Record<string, DirectoryUser> = {};
  for (let i = 0; i < DRIFT_CHANGES; i++) {
    const login = `user${String(i).padStart(4, '0')}@acme.com`;
    directory[login] = { id: `00u${i}`, login, status: 'ACTIVE' };
    if (i < 960) {
      users.push({ login, initialStatus: 'active_with_pass' });
      appUsers.push(liveAppUser(login, { externalId: `00uhub${i}` }));
    } else if (i < 990) {
      users.push({ login, securityQuestion: 'First pet?', securityAnswer: { $secret: 'ANSWER' } });
      appUsers.push(
        liveAppUser(login, {
          externalId: `00uhub${i}`,
          securityQuestion: 'Favourite colour?',
          profile: { initialStatus: 'active_without_pass', securityQuestion: 'Favourite colour?' },
        }),
      );
    } else {
      users.push({ login });
    }
  }
  const desired = desiredFromJson({
    hub: { url: 'https://acme.okta.com' },
    spokes: [
      {
        name: 'big',
        url: 'https://acme-big.okta.com',
        connection: { authScheme: 'TOKEN', token: { $secret: 'OKTA_HUB_PROVISIONING_TOKEN' } },
        assignments: { users },
      },
    ],
  });
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
        connection: { authScheme: 'TOKEN', status: 'ENABLED', fingerprint: 'fpconn' },
        appUserSchema: {
          initialStatus: 'initialStatus',
          securityQuestion: 'securityQuestion',
          securityAnswer: 'securityAnswer',
          initialStatusValues: [],
          attributes: ['initialStatus', 'securityQuestion', 'securityAnswer'],
        },
        appUsers,
        users: directory,
        rateLimits: [{ bucket: 'apps', limit: 100, remaining: 100, reset: 0 }],
      }),
    },
    readProblems: [],
  };
  return { desired, live };
}
