/**
 * One measurement in a process of its own, so that its peak RSS is org2org's and not the
 * simulator's (the simulator runs in bench/run.ts's process). It goes through the code paths the
 * `plan` and `apply` commands use: loadConfig → buildClients → readLiveState → createPlan →
 * renderPlanText → applyPlan, over HTTP.
 *
 *   node --import tsx bench/worker.ts '<job JSON>'   → one JSON line on stdout
 *
 * The simulator's counters are read and reset through its own `/__sim/stats` and `/__sim/reset`.
 */
import { performance } from 'node:perf_hooks';
import { applyPlan, changesToApply } from '../src/apply/apply-plan.js';
import { checkSafety } from '../src/apply/safety.js';
import { buildClients } from '../src/cli/clients.js';
import { loadConfig } from '../src/config/load.js';
import { createOktaClient } from '../src/okta/client.js';
import { classifyBucket } from '../src/okta/routes.js';
import type { ClientEvent, HttpMethod, OktaClient, RequestOptions } from '../src/okta/types.js';
import { createPlan } from '../src/plan/create-plan.js';
import type { Plan } from '../src/plan/types.js';
import { renderPlanText } from '../src/render/text.js';
import { readLiveState, type LiveClients } from '../src/state/read-live-state.js';
import type { SimStats } from '../src/sim/index.js';
import { resetSimStats, simStats } from './sim-stats.js';
import { snapshotPlan, type SnapshotPlanFigures, type SnapshotPlanJob } from './snapshot-plan.js';

export type Job =
  | {
      mode: 'plan';
      configFile: string;
      orgUrls: Record<string, string>;
      capacity: number;
      maxInFlight?: number;
      fixedInFlight?: boolean;
      /** Parse the config whole with the library, not a large file's runs in pieces (the experiment). */
      parseWhole?: boolean;
    }
  | { mode: 'apply'; configFile: string; orgUrls: Record<string, string>; capacity: number; maxRemovals: number }
  | { mode: 'create-plan'; configFile: string; runs: number; capacity: number }
  | { mode: 'validate'; configFile: string; runs: number; parseWhole?: boolean }
  | SnapshotPlanJob;

export interface ClientCounts {
  waits: Record<string, number>;
  retries: number;
  /** Changes of the adaptive in-flight limit, by reason. */
  concurrencyChanges: Record<string, number>;
}

/** Per client (org name): the adaptive in-flight limit at the end of the read, the highest it reached, its ceiling. */
export type ConcurrencyFigures = Record<string, { limit: number; peak: number; ceiling: number }>;

export interface PlanFigures {
  loadMs: number;
  readMs: number;
  createPlanMs: number;
  renderMs: number;
  /** Size of the plan's text output (`plan`, colour off). */
  planTextBytes: number;
  /** readLiveState + createPlan: from the first request to the plan in memory. */
  wallMs: number;
  /** CPU time this process spent in readLiveState (user + system). */
  readCpuMs: number;
  /** Peak RSS (MB) when the process started, after loadConfig and after readLiveState: where memory goes. */
  peakRssSteps: { start: number; load: number; read: number };
  summary: Plan['summary'];
  errored: boolean;
  stats: Record<string, SimStats>;
  client: ClientCounts;
  concurrency: ConcurrencyFigures;
}

export interface ApplyFigures {
  plan: PlanFigures;
  planned: { total: number; byOp: Record<string, number> };
  applyMs: number;
  applied: number;
  failed: number;
  skipped: number;
  failures: string[];
  stats: Record<string, SimStats>;
  client: ClientCounts;
  /** Apply's answers per bucket: how many in each rate-limit window (by `X-Rate-Limit-Reset`), and the bucket's limit. */
  windows: Record<string, { limit: number; byReset: Record<string, number>; minRemaining: Record<string, number> }>;
  /** A plan made after the apply: what is left to do (0 when apply converged). */
  replanChanges: number;
}

export interface Timings {
  runsMs: number[];
  /** CPU time (user + system) of each run: on a busy machine the wall time also counts waiting for a core. */
  runsCpuMs: number[];
  size: number;
  changes?: number;
}

export interface WorkerResult {
  job: Job['mode'];
  figures: PlanFigures | ApplyFigures | Timings | SnapshotPlanFigures;
  /** Peak resident set size of this process, MB. */
  peakRssMb: number;
}

/** Counts the client's waits and retries (events carry no secrets). */
function countingClients(counts: ClientCounts): (e: ClientEvent) => void {
  return (e) => {
    if (e.type === 'rate-limit-wait') counts.waits[e.reason] = (counts.waits[e.reason] ?? 0) + 1;
    if (e.type === 'retry') counts.retries++;
    if (e.type === 'concurrency') counts.concurrencyChanges[e.reason] = (counts.concurrencyChanges[e.reason] ?? 0) + 1;
  };
}

/** A client that notes each answer's rate-limit window while `recording.on`: how apply used its buckets. */
function windowRecorder(client: OktaClient, windows: ApplyFigures['windows'], recording: { on: boolean }): OktaClient {
  return {
    org: client.org,
    baseUrl: client.baseUrl,
    rateLimits: () => client.rateLimits(),
    ...(client.concurrency ? { concurrency: () => client.concurrency!() } : {}),
    get: (path, query) => client.get(path, query),
    pages: (path, query, options) => client.pages(path, query, options),
    request: async <T>(method: HttpMethod, path: string, options?: RequestOptions) => {
      const res = await client.request<T>(method, path, options);
      if (recording.on) {
        const bucket = classifyBucket(method, new URL(path, client.baseUrl).pathname);
        const w = (windows[`${client.org} ${bucket}`] ??= { limit: 0, byReset: {}, minRemaining: {} });
        w.limit = Number(res.headers.get('x-rate-limit-limit') ?? 0);
        const reset = res.headers.get('x-rate-limit-reset') ?? 'none';
        w.byReset[reset] = (w.byReset[reset] ?? 0) + 1;
        const remaining = Number(res.headers.get('x-rate-limit-remaining') ?? w.limit);
        w.minRemaining[reset] = Math.min(w.minRemaining[reset] ?? w.limit, remaining);
      }
      return res;
    },
  };
}

function concurrencyOf(clients: LiveClients): ConcurrencyFigures {
  const all = [...(clients.hub ? [clients.hub] : []), ...Object.values(clients.spokes), ...Object.values(clients.provisioning ?? {})];
  return Object.fromEntries(all.flatMap((c) => (c.concurrency ? [[c.org, c.concurrency()]] : [])));
}

async function runPlanJob(
  job: {
    configFile: string;
    orgUrls: Record<string, string>;
    capacity: number;
    maxInFlight?: number;
    fixedInFlight?: boolean;
    parseWhole?: boolean;
  },
  wrap: (client: OktaClient) => OktaClient = (c) => c,
) {
  await resetSimStats(job.orgUrls);
  const client: ClientCounts = { waits: {}, retries: 0, concurrencyChanges: {} };
  const rssStart = peakRssMb();
  const t0 = performance.now();
  const { desired } = await loadConfig(job.configFile, {
    env: process.env,
    requireSecrets: true,
    ...(job.parseWhole ? { parse: { whole: true } } : {}),
  });
  const t1 = performance.now();
  const rssLoad = peakRssMb();
  const clients = buildClients(desired, {
    maxApiCapacity: job.capacity,
    onEvent: countingClients(client),
    ...(job.maxInFlight !== undefined ? { maxInFlight: job.maxInFlight } : {}),
    // fixedInFlight: the in-flight limit held at maxInFlight (no adaptation), for comparison.
    createClient: (o) => wrap(createOktaClient(job.fixedInFlight ? { ...o, adaptiveConcurrency: false } : o)),
  });
  const cpu = process.cpuUsage();
  const live = await readLiveState(desired, clients);
  const t2 = performance.now();
  const readCpu = process.cpuUsage(cpu);
  const rssRead = peakRssMb();
  const plan = createPlan(desired, live, { maxApiCapacity: job.capacity, toolVersion: 'bench' });
  const t3 = performance.now();
  const text = renderPlanText(plan, { color: false });
  const t4 = performance.now();
  const stats = await simStats(job.orgUrls);
  const figures: PlanFigures = {
    loadMs: t1 - t0,
    readMs: t2 - t1,
    createPlanMs: t3 - t2,
    renderMs: t4 - t3,
    planTextBytes: Buffer.byteLength(text),
    wallMs: t3 - t1,
    readCpuMs: (readCpu.user + readCpu.system) / 1000,
    peakRssSteps: { start: rssStart, load: rssLoad, read: rssRead },
    summary: plan.summary,
    errored: plan.errored,
    stats,
    client: structuredClone(client),
    concurrency: concurrencyOf(clients),
  };
  return { desired, clients, plan, figures, counts: client };
}

async function main(): Promise<WorkerResult> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  if (job.mode === 'plan') {
    // maxInFlight: as `plan --max-in-flight N` sets it (default: the client's own ceiling, 32, adaptive below it).
    const { figures } = await runPlanJob(job);
    return { job: job.mode, figures, peakRssMb: peakRssMb() };
  }
  if (job.mode === 'apply') {
    const windows: ApplyFigures['windows'] = {};
    const recording = { on: false };
    const { clients, plan, figures: planFigures, counts } = await runPlanJob(job, (c) => windowRecorder(c, windows, recording));
    const changes = changesToApply(plan);
    const byOp: Record<string, number> = {};
    for (const c of changes) byOp[c.op.type] = (byOp[c.op.type] ?? 0) + 1;
    // What `apply --max-removals N` checks first; the benchmark asks for exactly its removals.
    const refused = checkSafety(plan, { maxRemovals: job.maxRemovals });
    if (refused.length > 0) throw new Error(`bench: apply refused: ${refused.join('; ')}`);
    // As `org2org apply` does: the clients that read go on to write (their schedulers know the buckets).
    counts.waits = {};
    counts.retries = 0;
    counts.concurrencyChanges = {};
    await resetSimStats(job.orgUrls);
    recording.on = true;
    const t0 = performance.now();
    const result = await applyPlan(plan, clients, { env: process.env });
    const applyMs = performance.now() - t0;
    recording.on = false;
    const stats = await simStats(job.orgUrls);
    const after = await runPlanJob(job);
    const figures: ApplyFigures = {
      plan: planFigures,
      planned: { total: changes.length, byOp },
      applyMs,
      applied: result.applied,
      failed: result.failed,
      skipped: result.skipped,
      failures: result.results
        .filter((r) => r.outcome !== 'applied')
        .slice(0, 5)
        .map((r) => `${r.address}: ${r.outcome} ${r.message ?? ''}`),
      stats,
      client: structuredClone(counts),
      windows,
      replanChanges: changesToApply(after.plan).length,
    };
    return { job: job.mode, figures, peakRssMb: peakRssMb() };
  }
  if (job.mode === 'snapshot-plan') return { job: job.mode, figures: await snapshotPlan(job), peakRssMb: peakRssMb() };
  if (job.mode === 'validate') {
    const runsMs: number[] = [];
    const runsCpuMs: number[] = [];
    let size = 0;
    for (let i = 0; i < job.runs; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      // `validate` works offline and without secrets: unset variables are warnings there.
      const { desired } = await loadConfig(job.configFile, {
        env: {},
        requireSecrets: false,
        ...(job.parseWhole ? { parse: { whole: true } } : {}),
      });
      runsMs.push(performance.now() - t0);
      runsCpuMs.push(cpuMs(process.cpuUsage(c0)));
      size = desired.spokes.reduce((n, s) => n + s.assignments.users.length, 0);
    }
    return { job: job.mode, figures: { runsMs, runsCpuMs, size }, peakRssMb: peakRssMb() };
  }
  // create-plan: the desired and live states come from the real loader and reader (no latency);
  // only createPlan itself is timed, cold first, then warm.
  const { desired } = await loadConfig(job.configFile, { env: process.env, requireSecrets: true });
  const live = await readLiveState(desired, buildClients(desired, { maxApiCapacity: job.capacity }));
  const runsMs: number[] = [];
  const runsCpuMs: number[] = [];
  let plan: Plan | undefined;
  for (let i = 0; i < job.runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    plan = createPlan(desired, live, { maxApiCapacity: job.capacity, toolVersion: 'bench' });
    runsMs.push(performance.now() - t0);
    runsCpuMs.push(cpuMs(process.cpuUsage(c0)));
  }
  const size = desired.spokes.reduce((n, s) => n + s.assignments.users.length, 0);
  return { job: job.mode, figures: { runsMs, runsCpuMs, size, changes: changesToApply(plan!).length }, peakRssMb: peakRssMb() };
}

function cpuMs(used: NodeJS.CpuUsage): number {
  return (used.user + used.system) / 1000;
}

function peakRssMb(): number {
  // maxRSS is in kilobytes (libuv's getrusage).
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

main().then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
  },
  (err: unknown) => {
    process.stderr.write(`bench worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
