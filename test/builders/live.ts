/** LiveState for tests: a Spoke's pieces with empty defaults, or the golden fixtures' live.json. */
import { emptyLiveSpoke, type LiveApp, type LiveAppUser, type LiveSpoke, type LiveState } from '../../src/state/types.js';

type Json = Record<string, any>;

export function liveSpoke(name: string, extra: Partial<LiveSpoke> = {}): LiveSpoke {
  return { ...emptyLiveSpoke(name), ...extra };
}

export function liveState(spokes: LiveSpoke[], extra: Partial<LiveState> = {}): LiveState {
  return { spokes: Object.fromEntries(spokes.map((s) => [s.name, s])), readProblems: [], ...extra };
}

/** The Spoke's Org2Org app "Acme Hub", active, pointing at `baseUrl`, provisioning features not read. */
export function liveApp(baseUrl: string, extra: Partial<LiveApp> = {}): LiveApp {
  return {
    id: '0oa1',
    label: 'Acme Hub',
    status: 'ACTIVE',
    signOnMode: 'SAML_2_0',
    baseUrl,
    features: [],
    fingerprint: 'fp-app',
    ...extra,
  };
}

/** A direct assignment, provisioned and in sync, whose initial status is Okta's default. */
export function liveAppUser(login: string, extra: Partial<LiveAppUser> = {}): LiveAppUser {
  return {
    userId: `00u-${login}`,
    login,
    loginKey: login.toLowerCase(),
    scope: 'USER',
    status: 'PROVISIONED',
    syncState: 'SYNCHRONIZED',
    initialStatus: 'active_without_pass',
    profile: { initialStatus: 'active_without_pass' },
    fingerprint: `fp-${login}`,
    ...extra,
  };
}

/** The golden fixtures' live.json, every spoke completed with empty defaults. */
export function liveFromJson(json: Json): LiveState {
  const spokes: Record<string, LiveSpoke> = {};
  for (const [name, s] of Object.entries<Json>(json.spokes ?? {})) spokes[name] = liveSpoke(name, s);
  const state: LiveState = { spokes, readProblems: json.readProblems ?? [] };
  if (json.hub) state.hub = { users: json.hub.users ?? {}, groups: json.hub.groups ?? {} };
  return state;
}
