/**
 * `org2org apply`: make the live orgs match the config — or carry out a saved, reviewed plan.
 * Reads like its help: load, (re)read the live orgs, plan or check the saved plan for staleness,
 * refuse what the safety rules forbid, ask (or require --auto-approve), apply, optionally follow
 * provisioning into the Hub, and exit 1 when anything failed.
 */
import { createHash } from 'node:crypto';
import { applyEventOfClientEvent, applyPlan } from '../../apply/apply-plan.js';
import { allowanceFlags } from '../../plan/guards.js';
import { checkStale } from '../../apply/stale.js';
import { savedPlanDifferences, savedPlanProgress } from '../../apply/saved-plan.js';
import type { ApplyResult } from '../../apply/types.js';
import { waitForProvisioning } from '../../apply/wait.js';
import { MAX_CONFIG_BYTES } from '../../config/source-file.js';
import type { DesiredState } from '../../config/types.js';
import { InterruptedError, Org2OrgError, SafetyError, StalePlanError, UsageError } from '../../errors.js';
import type { Allowances, Plan, PlanFile } from '../../plan/types.js';
import { confirmApply, type Progress } from '../../render/progress.js';
import { renderPlanText } from '../../render/text.js';
import type { LiveClients } from '../../state/read-live-state.js';
import type { LiveState } from '../../state/types.js';
import { GLOBAL_HELP, PACING_FLAGS, pacingOf, parseCommandArgs, SPOKE_FLAGS, type GlobalArgs, type Pacing } from '../args.js';
import { ALLOWANCE_FLAGS, ALLOWANCE_HELP, allowancesOf } from '../allowances.js';
import { readRegularFile } from '../files.js';
import { planLive } from '../plan-live.js';
import { readSavedPlan, usingSavedPlan } from '../saved-plan-file.js';
import { startSession, type Session, type SessionIo } from '../session.js';

const HELP = `Usage: org2org apply [PLAN.json] [-c FILE] [--spoke NAME]… [--auto-approve] [--wait]
                     [--max-removals N] [--allow-delete-target-groups] [--allow-disable-connection]
                     [--allow-delete-service-apps] [--allow-hub-change] [--allow-remove-required-access]
                     [--allow-remove-attribute-mappings]

Without PLAN.json: reads the live orgs, plans, shows the plan and asks for \`yes\` before writing.
With PLAN.json (from \`org2org plan --out\`): the reviewed plan is the approval, so nothing is
asked. It plans again from the config and the live orgs and applies only when the new plan makes
the saved plan's changes; when the config or anything the plan touched changed since (stale), or
the file was edited, it lists the differences and writes nothing. The file is a record of what was
reviewed, never an instruction. It is applied with the allowances recorded in it (the guard flags
given to \`plan\`, which the reviewers saw), and takes no guard flag itself.

Options:
      --spoke NAME                apply only this Spoke (repeatable; fresh plans only); only its
                                  and the Hub's variables are read (a saved plan: its Spokes')
      --auto-approve              don't ask (required without an interactive terminal and a
                                  saved plan; applying a saved plan never asks)
      --wait                      after the writes, follow provisioning and check the Hub
      --wait-timeout DURATION     how long --wait may take: 90s, 5m, … (default 10m)
${ALLOWANCE_HELP}
      --max-api-capacity N        share of each rate-limit bucket to use: 0–1 or a percentage (default 50%)
      --max-in-flight N           ceiling of requests in flight per org, 1–75 (default 32;
                                  adaptive below it: starts at 16, grows, backs off)
      --format FORMAT             text (default) or json (the result on stdout)

${GLOBAL_HELP}

Ctrl-C stops starting changes, lets the ones in flight finish and reports (exit 130); a second
Ctrl-C exits at once. Running apply again finishes the job.
Exit: 0 everything applied (or nothing to do), 1 on error, refusal or any failed change, 130 interrupted.`;

export interface ApplyIo extends SessionIo {
  /** --wait polling interval (tests). */
  pollMs?: number;
}

export async function runApply(argv: string[], io: ApplyIo = {}): Promise<number> {
  const args = parseApplyArgs(argv);
  const session = startSession(io, args.global);
  if (args.global.help) return session.help(HELP);
  // Refuse before reading anything: nobody can answer the question. A saved plan is the
  // approval (it was reviewed), so applying one never asks.
  if (!args.autoApprove && args.planFile === undefined && !session.term.interactive) {
    throw new SafetyError(
      'apply needs a `yes` and there is no interactive terminal to ask in: review the plan, then run again with --auto-approve.',
    );
  }
  const saved = readSavedPlanToApply(args);
  // A saved plan names the config it was made from (and its Spokes); -c overrides the file.
  const desired = await session.loadConfig(
    saved?.configFile ?? args.global.config,
    saved ? saved.plan.spokes.map((s) => s.name) : args.spokes,
  );
  let applying: Progress | undefined;
  const clients = session.clients(desired, args.pacing, (e) => {
    const waiting = applyEventOfClientEvent(e);
    if (waiting) applying?.apply(waiting);
  });
  // A saved plan is applied with the allowances it was made (and reviewed) with, no others.
  const allowances = saved ? saved.plan.allowances : args.allowances;
  const { plan, live } = await planLive(session, desired, clients, { maxApiCapacity: args.pacing.maxApiCapacity, now: io.now, allowances });
  if (saved) {
    const progress = refuseStalePlan(saved.plan, args.planFile!, desired, live, plan);
    if (progress.remaining.size === 0 && progress.inPlace > 0 && !plan.errored) {
      // Done before (a re-run of a green job): one line, nothing written, nothing waited for.
      const n = progress.inPlace;
      if (args.format === 'json')
        session.out(`${JSON.stringify({ applied: 0, failed: 0, skipped: 0, alreadyApplied: n, results: [] }, null, 2)}\n`);
      else session.out(`already applied: ${n} ${n === 1 ? 'change' : 'changes'} of ${args.planFile} ${n === 1 ? 'is' : 'are'} in place\n`);
      return 0;
    }
    session.err(
      progress.inPlace > 0
        ? `Finishing the saved plan ${args.planFile}: ${progress.inPlace} of its ${progress.total} changes are in place already; planning again gave the ${progress.remaining.size} that remain, exactly as saved.\n`
        : `The saved plan ${args.planFile} is up to date with the live orgs and the config: planning again gave exactly its changes.\n`,
    );
  } else if (args.format === 'text') session.out(renderPlanText(plan, { color: session.color }));
  refuseErroredPlan(plan);
  if (plan.empty) {
    if (saved) session.out('No changes. The live orgs match the config.\n');
    if (args.format === 'json') session.out(JSON.stringify({ applied: 0, failed: 0, skipped: 0, results: [] }, null, 2) + '\n');
    return 0;
  }
  refuseUnsafePlan(plan, saved ? args.planFile : undefined);
  if (saved && allowanceFlags(allowances).length > 0)
    session.err(`Applying with the allowances recorded in the plan: ${allowanceFlags(allowances).join(' ')}\n`);
  if (!saved && !args.autoApprove && !(await approved(session, plan))) {
    session.err('Nothing was written.\n');
    return 1;
  }
  applying = session.startProgress();
  const result = await applyUntilInterrupted(session, applying, plan, live, clients, args, io.pollMs ?? 1000);
  if (args.format === 'json') session.out(JSON.stringify(result, null, 2) + '\n');
  if (result.interrupted) return 130;
  const unverified = (result.verification ?? []).filter((v) => !v.ok).length;
  return result.failed > 0 || unverified > 0 ? 1 : 0;
}

/** The saved plan named on the command line, once its config is known to be the one it was made from. */
function readSavedPlanToApply(args: ApplyArgs): { plan: PlanFile; configFile: string } | undefined {
  if (args.planFile === undefined) return undefined;
  const plan = readSavedPlan(args.planFile);
  if (args.spokes.length > 0) throw new UsageError('--spoke applies to fresh plans only: a saved plan already names its Spokes.');
  if (args.allowanceFlagsGiven.length > 0) {
    const recorded = allowanceFlags(plan.allowances);
    throw new UsageError(
      `${args.allowanceFlagsGiven.join(', ')}: a saved plan is applied with the allowances recorded in it (${recorded.length > 0 ? recorded.join(' ') : 'none'}), which its reviewers saw. To allow more, plan again with the flag, review that plan and apply it.`,
    );
  }
  const configFile = args.configGiven ? args.global.config : plan.config.file;
  refuseChangedConfig(plan, args.planFile, configFile, args.configGiven);
  return { plan, configFile };
}

/**
 * What runs is the plan just computed; the saved one only has to agree with it: the same changes,
 * or those of them that remain. Returns how far along the saved plan is.
 */
function refuseStalePlan(
  saved: PlanFile,
  planFile: string,
  desired: DesiredState,
  live: LiveState,
  plan: Plan,
): ReturnType<typeof savedPlanProgress> {
  const progress = savedPlanProgress(saved, plan);
  const differences = usingSavedPlan(planFile, () => [
    ...checkStale(saved, desired, live, progress.remaining),
    ...savedPlanDifferences(saved, plan),
  ]);
  if (differences.length === 0) return progress;
  throw new StalePlanError(
    `the saved plan ${planFile} is stale or was edited: it differs from what the config and the live orgs call for now in ${differences.length} thing${differences.length === 1 ? '' : 's'}. Nothing was written; plan again and review the new plan.\n` +
      differences.map((d) => `  - ${d}`).join('\n'),
    differences,
  );
}

function refuseErroredPlan(plan: Plan): void {
  if (!plan.errored) return;
  const healthy = plan.spokes.filter((s) => !s.diagnostics.some((d) => d.severity === 'error')).map((s) => s.name);
  const others =
    healthy.length > 0 && healthy.length < plan.spokes.length
      ? ` To apply the Spokes without errors now: --spoke ${healthy.join(' --spoke ')}.`
      : '';
  throw new Org2OrgError(
    `the plan has ${plan.summary.errors} error${plan.summary.errors === 1 ? '' : 's'} (listed above): fix the config or the orgs, then plan again. Nothing was written.${others}`,
  );
}

/** The plan's guards its allowances leave standing (decided when it was computed, with the same allowances). */
function refuseUnsafePlan(plan: Plan, planFile: string | undefined): void {
  const refusals = plan.guards.filter((g) => !g.allowed);
  if (refusals.length === 0) return;
  const how = planFile
    ? (g: { allowWith: string }) => `to allow it, plan again with ${g.allowWith}, review that plan and apply it`
    : (g: { allowWith: string }) => `allow it with ${g.allowWith}`;
  throw new SafetyError(`apply refused, nothing was written:\n${refusals.map((g) => `  - ${g.message}; ${how(g)}`).join('\n')}`);
}

/** Whether the person at the terminal typed `yes`. */
function approved(session: Session, plan: Plan): Promise<boolean> {
  const s = plan.summary;
  return confirmApply(
    session.term,
    `Apply ${s.add} to add, ${s.change} to change, ${s.remove} to remove (${s.apiWrites} API ${s.apiWrites === 1 ? 'write' : 'writes'})?`,
  );
}

/**
 * The writes (and, with --wait, following provisioning into the Hub). Ctrl-C: the first stops
 * starting changes and lets those in flight finish (a request cut off mid-way leaves its outcome
 * unknown), then reports what was and wasn't done; a second exits now.
 */
async function applyUntilInterrupted(
  session: Session,
  progress: Progress,
  plan: Plan,
  live: LiveState,
  clients: LiveClients,
  args: ApplyArgs,
  pollMs: number,
): Promise<ApplyResult> {
  // The session's Ctrl-C (see ../interrupt.ts): the clients drop requests not yet sent, and
  // applyPlan starts no new change.
  const signal = session.signal;
  session.whenStopping('Stopping: no new change starts, the ones in flight finish. Ctrl-C again to exit at once.');
  try {
    const result = await applyPlan(plan, clients, { onEvent: (e) => progress.apply(e), env: session.env, signal });
    if (args.wait && !signal.aborted) {
      try {
        result.verification = await waitForProvisioning(plan, result, clients, {
          timeoutMs: args.waitTimeoutMs,
          pollMs,
          onEvent: (e) => progress.apply(e),
          ...(live.hub ? { hubUsersBefore: live.hub.users } : {}),
        });
      } catch (error) {
        // Ctrl-C while following provisioning: every change was made, only the check stopped.
        if (!(error instanceof InterruptedError)) throw error;
        result.interrupted = true;
      }
      progress.apply({ type: 'apply-end', result });
    }
    return result;
  } finally {
    await progress.stop();
  }
}

/**
 * The config digest is compared before anything else happens — no variable resolved, no org
 * read: a plan made from another version of the file is refused for free.
 */
function refuseChangedConfig(saved: Plan, planFile: string, configFile: string, configGiven: boolean): void {
  // The path comes from the saved plan, a file anyone may have edited: a FIFO or a device named
  // there must fail at once, not hang or fill memory.
  const bytes = readRegularFile(
    configFile,
    'the config',
    MAX_CONFIG_BYTES,
    configGiven
      ? ''
      : (why) =>
          `the saved plan ${planFile} was made from the config ${configFile}, which cannot be read from ${process.cwd()} (${why}): run apply where the plan was made, or pass the config with -c FILE.`,
  );
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== saved.config.digest) {
    const difference = `the config file ${configFile} changed since the plan (digest ${saved.config.digest.slice(0, 12)} → ${digest.slice(0, 12)})`;
    throw new StalePlanError(
      `the saved plan ${planFile} is stale: ${difference}. Nothing was written, and no org was read; plan again and review the new plan.`,
      [difference],
    );
  }
}

interface ApplyArgs {
  global: GlobalArgs;
  planFile?: string;
  /** -c was given (else a saved plan's own config path is used). */
  configGiven: boolean;
  spokes: string[];
  autoApprove: boolean;
  wait: boolean;
  waitTimeoutMs: number;
  allowances: Allowances;
  /** The guard flags given, as typed (a saved plan takes none). */
  allowanceFlagsGiven: string[];
  pacing: Pacing;
  format: 'text' | 'json';
}

function parseApplyArgs(argv: string[]): ApplyArgs {
  const parsed = parseCommandArgs(
    'apply',
    argv,
    {
      ...SPOKE_FLAGS,
      ...PACING_FLAGS,
      'auto-approve': { type: 'boolean' },
      wait: { type: 'boolean' },
      'wait-timeout': { type: 'string' },
      ...ALLOWANCE_FLAGS,
      format: { type: 'string' },
    },
    { maxPositionals: 1, positionalName: 'saved plan file' },
  );
  const format = parsed.choice('format', ['text', 'json'], 'text');
  const { allowances, given } = allowancesOf(parsed);
  return {
    global: parsed.global,
    planFile: parsed.positionals[0],
    configGiven: parsed.string('config') !== undefined,
    spokes: parsed.strings('spoke'),
    autoApprove: parsed.flag('auto-approve'),
    wait: parsed.flag('wait'),
    waitTimeoutMs: parseDuration(parsed.string('wait-timeout') ?? '10m'),
    allowances,
    allowanceFlagsGiven: given,
    pacing: pacingOf(parsed),
    format,
  };
}

/** "90s", "5m", "1h", or a number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--wait-timeout must be a duration such as 90s, 5m or 1h (got "${text}").`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(n * factor);
}

/** The entry point main.ts calls. */
export { runApply as run };
