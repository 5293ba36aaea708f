/** Small in-memory builders for plans and live state, for apply's tests. */
import type { DesiredState } from '../../src/config/types.js';
import { formatAddress, type ResourceKey } from '../../src/plan/address.js';
import { PLAN_FORMAT_VERSION, type Change, type Plan, type PlanOp, type ResourceKind, type Action } from '../../src/plan/types.js';
import { emptyLiveSpoke, type LiveSpoke, type LiveState } from '../../src/state/types.js';

export function change(spoke: string, kind: ResourceKind, key: string | null, action: Action, op: PlanOp, extra: Partial<Change> = {}): Change {
  const resource: ResourceKey = key === null ? { spoke, kind } : { spoke, kind, key };
  return {
    address: formatAddress(resource),
    resource,
    spoke,
    kind,
    action,
    name: key ?? kind,
    before: null,
    after: null,
    attributes: [],
    dependsOn: [],
    writes: 1,
    op,
    ...extra,
  };
}

export function plan(changes: Change[], extra: Partial<Plan> = {}): Plan {
  const spokeNames = [...new Set(changes.map((c) => c.spoke))];
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'org2org', version: '0.0.0-test' },
    config: { file: 'org2org.config.yaml', digest: 'd'.repeat(64) },
    hubUrl: 'http://127.0.0.1:1',
    spokes: spokeNames.map((name) => ({
      name,
      url: 'http://127.0.0.1:2',
      mode: 'managed' as const,
      changes: changes.filter((c) => c.spoke === name),
      diagnostics: [],
    })),
    summary: { add: 0, change: 0, remove: 0, manual: 0, noop: 0, errors: 0, warnings: 0, apiWrites: 0, hubEffects: 0, minSeconds: 0 },
    fingerprints: {},
    errored: false,
    empty: changes.length === 0,
    ...extra,
  };
}

export function liveSpoke(name: string, extra: Partial<LiveSpoke> = {}): LiveSpoke {
  return { ...emptyLiveSpoke(name), ...extra };
}

export function liveState(spokes: LiveSpoke[]): LiveState {
  return { spokes: Object.fromEntries(spokes.map((s) => [s.name, s])), notes: [] };
}

export function desired(digest = 'd'.repeat(64)): DesiredState {
  return { file: 'org2org.config.yaml', digest, hub: { url: 'http://127.0.0.1:1' }, spokes: [] };
}

export function appUser(login: string, fingerprint: string): LiveSpoke['appUsers'][number] {
  return {
    userId: `00u${login.replace(/[^a-z0-9]/gi, '')}`,
    login,
    loginKey: login.toLowerCase(),
    scope: 'USER',
    status: 'PROVISIONED',
    profile: {},
    fingerprint,
  };
}
