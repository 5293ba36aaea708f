/**
 * One `plan --snapshot FILE [--refresh changes]` as the bench measures it (bench/worker.ts runs it
 * in a process of its own; test/bench/incremental.test.ts in the test's): the snapshot file read and
 * parsed, the read through it (src/state/incremental.ts), the plan, the new snapshot written — the
 * code paths `plan` takes (src/cli/snapshot.ts), over HTTP against the simulator.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildClients } from '../src/cli/clients.js';
import { readSnapshotFile, writeSnapshotFile } from '../src/cli/snapshot.js';
import { loadConfig } from '../src/config/load.js';
import { createPlan } from '../src/plan/create-plan.js';
import type { Plan } from '../src/plan/types.js';
import { resetSimStats, simStats } from './sim-stats.js';
import { readWithSnapshot } from '../src/state/incremental.js';

export interface SnapshotPlanJob {
  mode: 'snapshot-plan';
  configFile: string;
  orgUrls: Record<string, string>;
  capacity: number;
  snapshotFile: string;
  refresh: 'full' | 'changes';
}

export interface SnapshotPlanFigures {
  refresh: 'full' | 'changes';
  /** What the read did: 'incremental' when some org was reused. */
  mode: 'full' | 'incremental';
  fallback?: string;
  /** Orgs read again whole, orgs brought up to date object by object, orgs reused as they were. */
  read: string[];
  patched: string[];
  reused: string[];
  /** Requests the simulator answered, all orgs together and per org. */
  calls: number;
  callsByOrg: Record<string, number>;
  /** GET /api/v1/logs among them. */
  logCalls: number;
  /** From reading the snapshot file to the new one written: what the command spends beyond loading the config. */
  wallMs: number;
  snapshotReadMs: number;
  readMs: number;
  createPlanMs: number;
  snapshotWriteMs: number;
  snapshotBytes: number;
  summary: Plan['summary'];
  errored: boolean;
  /** Peak RSS of the worker process (MB), when it ran in one. */
  peakRssMb?: number;
}

export async function snapshotPlan(
  job: SnapshotPlanJob,
  env: Record<string, string | undefined> = process.env,
): Promise<SnapshotPlanFigures> {
  const { desired } = await loadConfig(job.configFile, { env, requireSecrets: true, applySecretsOptional: true });
  const clients = buildClients(desired, { maxApiCapacity: job.capacity });
  await resetSimStats(job.orgUrls);
  const t0 = performance.now();
  const previous = job.refresh === 'changes' ? readSnapshotFile(job.snapshotFile) : undefined;
  const t1 = performance.now();
  const result = await readWithSnapshot(desired, clients, previous);
  const t2 = performance.now();
  const plan = createPlan(desired, result.live, { maxApiCapacity: job.capacity, toolVersion: 'bench' });
  const t3 = performance.now();
  if (result.snapshotText === undefined) throw new Error(`bench: no snapshot written: ${result.noSnapshot ?? '?'}`);
  writeSnapshotFile(job.snapshotFile, result.snapshotText, [job.configFile]);
  const t4 = performance.now();
  const stats = await simStats(job.orgUrls);
  return {
    refresh: job.refresh,
    mode: result.mode,
    ...(result.fallback !== undefined ? { fallback: result.fallback } : {}),
    read: result.read,
    patched: result.patched,
    reused: result.reused,
    calls: Object.values(stats).reduce((n, s) => n + s.total, 0),
    callsByOrg: Object.fromEntries(Object.entries(stats).map(([org, s]) => [org, s.total])),
    logCalls: Object.values(stats).reduce((n, s) => n + (s.byRoute['GET /api/v1/logs'] ?? 0), 0),
    wallMs: t4 - t0,
    snapshotReadMs: t1 - t0,
    readMs: t2 - t1,
    createPlanMs: t3 - t2,
    snapshotWriteMs: t4 - t3,
    snapshotBytes: statSync(job.snapshotFile).size,
    summary: plan.summary,
    errored: plan.errored,
  };
}
