/** Plans and their changes for apply's and the renderers' tests, addressed as the planner addresses them. */
import type { ResourceKey } from '../../src/plan/address.js';
import { DEFAULT_ALLOWANCES } from '../../src/plan/guards.js';
import { PLAN_FORMAT_VERSION, type Action, type Change, type PlanFile, type PlanOp, type ResourceKind } from '../../src/plan/types.js';

/** A change of `kind` (keyed by `key`, or the Spoke's one object of that kind when null), one write. */
export function change(
  spoke: string,
  kind: ResourceKind,
  key: string | null,
  action: Action = 'create',
  op: PlanOp = { type: 'none' },
  extra: Partial<Change> = {},
): Change {
  const resource: ResourceKey = key === null ? { spoke, kind } : { spoke, kind, key };
  return {
    resource,
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

/** A plan of these changes, one managed Spoke per Spoke they name, on loopback addresses. */
export function plan(changes: Change[], extra: Partial<PlanFile> = {}): PlanFile {
  const spokeNames = [...new Set(changes.map((c) => c.resource.spoke))];
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'org2org', version: '0.0.0-test' },
    config: { file: 'org2org.config.yaml', digest: 'd'.repeat(64) },
    hubUrl: 'http://127.0.0.1:1',
    spokes: spokeNames.map((name) => ({
      name,
      url: 'http://127.0.0.1:2',
      mode: 'managed' as const,
      changes: changes.filter((c) => c.resource.spoke === name),
      diagnostics: [],
    })),
    summary: { add: 0, change: 0, remove: 0, manual: 0, noop: 0, errors: 0, warnings: 0, apiWrites: 0, hubEffects: 0, minSeconds: 0 },
    fingerprints: {},
    errored: false,
    empty: changes.length === 0,
    allowances: { ...DEFAULT_ALLOWANCES },
    guards: [],
    ...extra,
  };
}
