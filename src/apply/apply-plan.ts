/**
 * applyPlan: carries out a Plan's changes and reports through events; it never prints.
 * Spokes run independently and at the same time; within a spoke, phases run in order
 * (see ./order.ts) and the changes of one phase run concurrently, many in flight at once, so
 * that the client's rate-limit scheduler, not this loop, sets the pace.
 * A failed change skips only what (transitively) depends on it; everything else goes on.
 */
import { InterruptedError, Org2OrgError } from '../errors.js';
import type { ClientEvent, OktaClient } from '../okta/types.js';
import type { Change, Plan } from '../plan/types.js';
import { computePhases, failureDependenciesOf } from './order.js';
import { runOp } from './run-op.js';
import { INTERRUPTED_REASON, type ApplyEvent, type ApplyResult, type ChangeResult, type Outcome } from './types.js';
import { addressOf } from '../plan/address.js';
import { isHubWide } from '../plan/kinds.js';

export interface ApplyClients {
  hub?: OktaClient;
  spokes: Record<string, OktaClient>;
}

export interface ApplyOptions {
  onEvent?: (event: ApplyEvent) => void;
  /**
   * Where `tokenEnv` and `{ "$env": … }` values are read: the caller's environment (the CLI
   * passes its session's), never the process's behind its back. Default: none.
   */
  env?: Record<string, string | undefined>;
  /** Changes in flight per spoke. Default 32: enough to keep a rate-limit bucket busy. */
  concurrency?: number;
  /**
   * Stop (Ctrl-C): no change starts after it aborts; those in flight finish (a request cut
   * mid-way would leave its outcome unknown), and the rest are skipped as not started.
   */
  signal?: AbortSignal;
}

export const DEFAULT_APPLY_CONCURRENCY = 32;

/** Changes apply acts on: everything but noops (which are counted by the plan, not applied). */
export function changesToApply(plan: Plan): Change[] {
  return plan.spokes.flatMap((spoke) => (spoke.mode === 'observe' ? [] : spoke.changes.filter((c) => c.action !== 'noop')));
}

export async function applyPlan(plan: Plan, clients: ApplyClients, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (plan.errored) {
    throw new Org2OrgError('The plan has errors and cannot be applied: fix them and plan again.');
  }
  const emit = options.onEvent ?? (() => {});
  const all = changesToApply(plan);
  // The Hub's own objects, which several Spokes' changes may need, are made first, before any Spoke's.
  const hubWide = changesBySpoke(all.filter((c) => isHubWide(c.resource.kind)));
  const bySpoke = changesBySpoke(all.filter((c) => !isHubWide(c.resource.kind)));
  const hubPhases = phasesOrRefusal(hubWide);
  const phasesBySpoke = phasesOrRefusal(bySpoke);
  const inPlan = new Set(all.map((c) => addressOf(c)));
  emit({ type: 'apply-start', total: all.length });

  const outcomes = new Map<string, ChangeResult>();
  const appIds: Record<string, string> = {};
  const run: Omit<SpokeRun, 'client' | 'onAppCreated'> = {
    hub: clients.hub,
    env: options.env ?? {},
    concurrency: Math.max(1, Math.floor(options.concurrency ?? DEFAULT_APPLY_CONCURRENCY)),
    secrets: new Set<string>(),
    emit,
    record: (change, outcome, message, ms) => outcomes.set(addressOf(change), changeResult(change, outcome, message, ms)),
    outcomeOf: (address) => outcomes.get(address),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  for (const [phases, groups] of [
    [hubPhases, hubWide],
    [phasesBySpoke, bySpoke],
  ] as const) {
    await Promise.all(
      [...groups].map(([spoke, changes]) =>
        applySpoke(spoke, changes, phases.get(spoke)!, inPlan, {
          ...run,
          client: clients.spokes[spoke],
          onAppCreated: (id) => (appIds[spoke] = id),
        }),
      ),
    );
  }

  const result = applyResult(all.map((c) => outcomes.get(addressOf(c))).filter((r): r is ChangeResult => r !== undefined));
  if (Object.keys(appIds).length > 0) result.appIds = appIds;
  if (options.signal?.aborted) result.interrupted = true;
  emit({ type: 'apply-end', result });
  return result;
}

function changesBySpoke(changes: Change[]): Map<string, Change[]> {
  const bySpoke = new Map<string, Change[]>();
  for (const change of changes) {
    const list = bySpoke.get(change.resource.spoke) ?? [];
    list.push(change);
    bySpoke.set(change.resource.spoke, list);
  }
  return bySpoke;
}

/** Each Spoke's phase per change address. A plan whose changes can't be ordered is refused whole, before anything is written. */
function phasesOrRefusal(bySpoke: Map<string, Change[]>): Map<string, Map<string, number>> {
  const phasesBySpoke = new Map<string, Map<string, number>>();
  for (const [spoke, changes] of bySpoke) {
    try {
      phasesBySpoke.set(spoke, computePhases(changes));
    } catch (error) {
      throw new Org2OrgError(`The plan can't be applied: ${(error as Error).message}. Nothing was written; plan again.`);
    }
  }
  return phasesBySpoke;
}

function changeResult(change: Change, outcome: Outcome, message?: string, ms?: number): ChangeResult {
  const result: ChangeResult = { address: addressOf(change), spoke: change.resource.spoke, action: change.action, outcome };
  if (message !== undefined) result.message = message;
  if (ms !== undefined) result.ms = ms;
  return result;
}

function applyResult(results: ChangeResult[]): ApplyResult {
  return {
    results,
    applied: results.filter((r) => r.outcome === 'applied').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
  };
}

interface SpokeRun {
  client: OktaClient | undefined;
  hub: OktaClient | undefined;
  env: Record<string, string | undefined>;
  concurrency: number;
  secrets: Set<string>;
  emit: (event: ApplyEvent) => void;
  record: (change: Change, outcome: Outcome, message?: string, ms?: number) => void;
  outcomeOf: (address: string) => ChangeResult | undefined;
  onAppCreated: (id: string) => void;
  signal?: AbortSignal;
}

/** Runs one change and records its outcome (never throws for the op's own errors); skips one with a reason. */
interface ChangeRunner {
  execute(change: Change): Promise<void>;
  skip(change: Change, reason: string): void;
}

async function applySpoke(
  spoke: string,
  changes: Change[],
  phases: Map<string, number>,
  inPlan: Set<string>,
  run: SpokeRun,
): Promise<void> {
  const deps = failureDependencies(changes, inPlan);
  const runner = changeRunner(spoke, run);
  for (const phase of [...new Set(phases.values())].sort((a, b) => a - b)) {
    const members = changes.filter((c) => phases.get(addressOf(c)) === phase);
    await runPhase(members, deps, run, runner);
  }
}

/**
 * Per change, the changes in the plan whose failure must skip it: the Spoke's own, and the Hub's
 * own objects another Spoke carries (made before any Spoke's changes, so settled by then).
 */
function failureDependencies(changes: Change[], inPlan: Set<string>): Map<string, string[]> {
  const appCreate = changes.find((c) => c.op.type === 'app.create');
  const deps = new Map<string, string[]>();
  for (const change of changes) {
    deps.set(
      addressOf(change),
      failureDependenciesOf(change, appCreate).filter((a) => inPlan.has(a) && a !== addressOf(change)),
    );
  }
  return deps;
}

/** The ids this Spoke's apply creates (the app, the Hub's service app) are handed to the changes after it. */
function changeRunner(spoke: string, run: SpokeRun): ChangeRunner {
  const { emit, record } = run;
  let createdAppId: string | undefined;
  let createdServiceAppId: string | undefined;
  const skip = (change: Change, given: string): void => {
    // Once stopped, whatever is skipped was simply not started (its dependency may have been).
    const reason = run.signal?.aborted ? INTERRUPTED_REASON : given;
    record(change, 'skipped', reason);
    emit({ type: 'change-skipped', change, reason });
  };
  const fail = (change: Change, message: string): void => {
    record(change, 'failed', message);
    emit({ type: 'change-failed', change, message });
  };
  const execute = async (change: Change): Promise<void> => {
    if (run.signal?.aborted) return skip(change, INTERRUPTED_REASON);
    emit({ type: 'change-start', change });
    const started = performance.now();
    if (change.action === 'manual') return skip(change, 'manual change: make it in the admin console (see the plan’s instructions)');
    if (!run.client) return fail(change, `no API client for spoke ${spoke}`);
    try {
      const outcome = await runOp(change.op, {
        client: run.client,
        env: run.env,
        appId: () => createdAppId,
        ...(run.hub ? { hub: run.hub } : {}),
        serviceAppId: () => createdServiceAppId,
        secrets: run.secrets,
      });
      if (outcome.createdServiceAppId !== undefined) createdServiceAppId = outcome.createdServiceAppId;
      if (outcome.createdAppId !== undefined) {
        createdAppId = outcome.createdAppId;
        run.onAppCreated(outcome.createdAppId);
      }
      const ms = Math.round(performance.now() - started);
      record(change, 'applied', undefined, ms);
      emit({ type: 'change-done', change, ms });
    } catch (error) {
      // Ctrl-C dropped its request before it was sent: not made, like the changes not started.
      if (error instanceof InterruptedError) skip(change, INTERRUPTED_REASON);
      else fail(change, errorText(error, run.secrets));
    }
  };
  return { execute, skip };
}

/** A phase's own dependency edges: what each change still waits on, and who waits on it. */
interface PhaseGraph {
  inPhase: Map<string, Change>;
  /** In-phase dependencies not yet settled; -1 when an earlier phase's failure blocks the change. */
  waitingOn: Map<string, number>;
  dependents: Map<string, Change[]>;
  /** Changes free to start, in order; grows as dependencies settle. */
  ready: Change[];
}

/**
 * Kahn's algorithm over the phase's own dependency edges, with at most `concurrency` changes in
 * flight. Dependencies in earlier phases are settled already: a failed or skipped one skips the
 * change at once.
 */
async function runPhase(members: Change[], deps: Map<string, string[]>, run: SpokeRun, runner: ChangeRunner): Promise<void> {
  const graph = phaseGraph(members, deps, run);
  // Skips cascade through the phase without running anything.
  const skipWithDependents = (change: Change, reason: string): void => {
    runner.skip(change, reason);
    for (const dependent of graph.dependents.get(addressOf(change)) ?? []) {
      if (run.outcomeOf(addressOf(dependent)) === undefined)
        skipWithDependents(dependent, `depends on ${addressOf(change)}, which was skipped`);
    }
  };
  // Changes blocked by an earlier phase are skipped (with their in-phase dependents).
  for (const change of members) {
    if (graph.waitingOn.get(addressOf(change)) === -1 && run.outcomeOf(addressOf(change)) === undefined) {
      const address = (deps.get(addressOf(change)) ?? []).find((a) => !graph.inPhase.has(a) && blockerOf(a, run) !== undefined);
      skipWithDependents(change, `depends on ${blockerOf(address ?? '', run) ?? 'a change that did not apply'}`);
    }
  }
  await drainPhase(graph, run, runner, skipWithDependents);
}

/** Why an earlier change blocks its dependents ("X failed"), or undefined when it didn't fail. */
function blockerOf(address: string, run: SpokeRun): string | undefined {
  const result = run.outcomeOf(address);
  if (result && (result.outcome === 'failed' || result.outcome === 'skipped')) {
    return `${address}, which ${result.outcome === 'failed' ? 'failed' : 'was skipped'}`;
  }
  return undefined;
}

function phaseGraph(members: Change[], deps: Map<string, string[]>, run: SpokeRun): PhaseGraph {
  const graph: PhaseGraph = {
    inPhase: new Map(members.map((c) => [addressOf(c), c])),
    waitingOn: new Map(),
    dependents: new Map(),
    ready: [],
  };
  for (const change of members) {
    let blocked: string | undefined;
    let pending = 0;
    for (const address of deps.get(addressOf(change)) ?? []) {
      if (graph.inPhase.has(address)) {
        pending++;
        const list = graph.dependents.get(address) ?? [];
        list.push(change);
        graph.dependents.set(address, list);
      } else {
        blocked ??= blockerOf(address, run);
      }
    }
    graph.waitingOn.set(addressOf(change), blocked !== undefined ? -1 : pending);
    if (blocked === undefined && pending === 0) graph.ready.push(change);
  }
  return graph;
}

/** Starts ready changes, at most `concurrency` at once, until none is running or ready. */
function drainPhase(
  graph: PhaseGraph,
  run: SpokeRun,
  runner: ChangeRunner,
  skipWithDependents: (change: Change, reason: string) => void,
): Promise<void> {
  const { ready, waitingOn, dependents } = graph;
  return new Promise<void>((resolve) => {
    let next = 0;
    let inFlight = 0;
    const pump = (): void => {
      while (inFlight < run.concurrency && next < ready.length) {
        const change = ready[next++]!;
        if (run.outcomeOf(addressOf(change)) !== undefined) continue; // skipped meanwhile
        inFlight++;
        const finished = (): void => {
          inFlight--;
          settle(change);
          pump();
        };
        // execute() catches the op's errors itself; a throwing event listener must not hang the run.
        void runner.execute(change).then(finished, finished);
      }
      if (inFlight === 0 && next >= ready.length) resolve();
    };
    const settle = (change: Change): void => {
      const outcome = run.outcomeOf(addressOf(change))?.outcome;
      for (const dependent of dependents.get(addressOf(change)) ?? []) {
        if (run.outcomeOf(addressOf(dependent)) !== undefined) continue;
        if (outcome === 'failed' || outcome === 'skipped') {
          skipWithDependents(dependent, `depends on ${addressOf(change)}, which ${outcome === 'failed' ? 'failed' : 'was skipped'}`);
          continue;
        }
        const left = (waitingOn.get(addressOf(dependent)) ?? 1) - 1;
        waitingOn.set(addressOf(dependent), left);
        if (left === 0) ready.push(dependent);
      }
    };
    pump();
  });
}

/** An error's message, with any secret value revealed during this apply replaced. */
function errorText(error: unknown, secrets: Set<string>): string {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) {
    if (secret.length > 0) text = text.split(secret).join('(sensitive)');
  }
  return text;
}

/**
 * The client reports rate-limit waits through its own `onEvent` (set where the CLI creates it);
 * this turns them into apply events so that one stream shows "waiting 12 s for the reset".
 */
export function applyEventOfClientEvent(event: ClientEvent): ApplyEvent | undefined {
  if (event.type !== 'rate-limit-wait') return undefined;
  return { type: 'rate-limit-wait', org: event.org, bucket: event.bucket, until: event.until, reason: event.reason };
}
