/**
 * `org2org plan`: load the config (secrets required), read the live orgs, compute the plan,
 * print it (stdout), report progress (stderr), save it with --out, and under GitHub Actions add
 * it to the step summary. Exit 0; 1 on error or when the plan has errors; 2 with
 * --detailed-exitcode when there are changes.
 */
import { toPlanFile } from '../../plan/create-plan.js';
import type { Allowances, Plan } from '../../plan/types.js';
import type { LiveState } from '../../state/types.js';
import { renderPlanJson } from '../../render/json.js';
import { commentMarker, type MarkdownOptions, renderPlanMarkdown, renderStepSummary } from '../../render/markdown.js';
import { inert } from '../../inert.js';
import { errorText } from '../error-text.js';
import { renderPlanText } from '../../render/text.js';
import { githubAnnotation, underGitHubActions } from '../annotations.js';
import { GLOBAL_HELP, PACING_FLAGS, pacingOf, parseCommandArgs, SPOKE_FLAGS, type GlobalArgs, type Pacing } from '../args.js';
import { ALLOWANCE_FLAGS, ALLOWANCE_HELP, allowancesOf } from '../allowances.js';
import { planLive } from '../plan-live.js';
import { startSession, type Session, type SessionIo } from '../session.js';
import { checkOutputFile, writeOutputFile } from '../files.js';
import { appendStepSummary, markdownOptions, STEP_SUMMARY, stepSummaryFile } from '../github-actions.js';
import type { Env } from '../io.js';
import type { IncrementalResult } from '../../state/incremental.js';
import { reportSnapshot, SNAPSHOT_FLAGS, SNAPSHOT_HELP, snapshotArgsOf, snapshotReader, type SnapshotArgs } from '../snapshot.js';

const HELP = `Usage: org2org plan [-c FILE] [--spoke NAME]… [--out FILE] [--format text|markdown|json]
                    [--comment FILE [--artifact NAME]] [--detailed-exitcode] [--max-api-capacity PCT]
                    [--snapshot FILE [--refresh full|changes]] [--max-removals N] [--allow-…]

Reads the live Spoke orgs (and the Hub, when the config gives it credentials), compares them with
the config and shows what \`org2org apply\` would change. Nothing is written to any org.

Options:
      --spoke NAME           plan only this Spoke (repeatable; default: every Spoke); only its
                             and the Hub's variables are read, the others need not be set
      --out FILE             also save the plan as JSON, for \`org2org apply FILE\`
      --format FORMAT        text (default), markdown (for a pull-request comment) or json
      --comment FILE         write the pull-request comment to FILE, whatever happens: the plan
                             (at most 65,536 characters, what matters first) or what failed;
                             its first line is a marker that finds the comment on the next run
      --artifact NAME        the CI artifact the --out file is uploaded as, named in the comment
                             where long lists are cut
      --print-marker         print the --comment marker for this -c and --spoke selection and
                             exit (reads nothing): a workflow finds its comment by it
${SNAPSHOT_HELP}
      --detailed-exitcode    exit 2 when the plan has changes (0: none, 1: error, or a plan apply
                             would refuse)
      --max-api-capacity N   share of each rate-limit bucket to use: 0–1 or a percentage (default 50%)
      --max-in-flight N      ceiling of requests in flight per org, 1–75 (default 32;
                             adaptive below it: starts at 16, grows, backs off)

Guards: the plan says which of its changes apply will refuse and the flag that allows each. Given
here, the flags are recorded in the plan (and shown with it): \`apply PLAN.json\` honours exactly them.
${ALLOWANCE_HELP}

${GLOBAL_HELP}

Under GitHub Actions the plan (or what failed) is also appended once to $GITHUB_STEP_SUMMARY:
the whole text plan when it fits GitHub's 1 MiB, else the Markdown. Progress never goes there.
Exit: 0 ok, 1 error (or a plan with errors; with --detailed-exitcode also a plan apply would refuse),
2 changes (with --detailed-exitcode), 130 interrupted (Ctrl-C).`;

/** `cwd`: where the git commit the plan is made at is read (tests). */
export type PlanIo = SessionIo & { cwd?: string };

export async function runPlan(argv: string[], io: PlanIo = {}): Promise<number> {
  const args = parsePlanArgs(argv);
  const session = startSession(io, args.global);
  if (args.global.help) return session.help(HELP);
  if (args.printMarker) {
    session.out(`${marker(args)}\n`);
    return 0;
  }
  const markdown: MarkdownOptions = {
    ...markdownOptions(session.env),
    ...(args.artifact !== undefined ? { artifact: args.artifact } : {}),
    ...(args.out !== undefined ? { planFile: args.out } : {}),
    spokes: args.spokes,
  };
  let plan: Plan;
  let live: LiveState;
  let inputs: readonly string[] = [args.global.config];
  try {
    // The provisioning token and security answers are only sent by apply: a plan job needs no secret that can write.
    const desired = await session.loadConfig(args.global.config, args.spokes, { applySecretsOptional: true });
    // Where the plan goes is checked before any org is read: a long read isn't lost to a bad path.
    inputs = [desired.file];
    checkOutputs(args, session.env, inputs);
    const clients = session.clients(desired, args.pacing);
    const snapshotRead: { result?: IncrementalResult } = {};
    const read = snapshotReader(args, desired, clients, inputs, snapshotRead);
    ({ plan, live } = await planLive(session, desired, clients, {
      maxApiCapacity: args.pacing.maxApiCapacity,
      now: io.now,
      cwd: io.cwd,
      allowances: args.allowances,
      ...(read ? { read } : {}),
    }));
    if (snapshotRead.result) reportSnapshot(session.err, args, snapshotRead.result, inputs);
  } catch (err) {
    // The comment and the summary say what stopped the plan; main reports the error as always
    // (a file that can't be written then is no reason to hide it).
    const failed = { ...markdown, failure: errorText(err) };
    bestEffort(() => {
      if (args.comment !== undefined) writeComment(args, renderPlanMarkdown(undefined, { ...failed, marker: marker(args) }), inputs);
    });
    bestEffort(() => appendStepSummary(renderStepSummary(undefined, undefined, failed), session.env, inputs));
    throw err;
  }
  printPlan(session, plan, args, markdown, live, inputs);
  if (args.comment !== undefined) writeComment(args, renderPlanMarkdown(plan, { ...markdown, marker: marker(args) }), inputs);
  appendStepSummary(renderStepSummary(plan, renderPlanText(plan, { color: false }), markdown), session.env, inputs);
  if (plan.errored) {
    reportPlanErrors(session, plan);
    return 1;
  }
  const refused = plan.guards.filter((g) => !g.allowed);
  if (refused.length > 0) {
    session.err(
      `apply will refuse this plan (${refused.length} guard${refused.length === 1 ? '' : 's'}, listed above); to allow it, plan with ${[...new Set(refused.map((g) => g.allowWith))].join(' ')}.\n`,
    );
    // A plan nobody can apply as it stands is not a clean "changes" result for CI.
    if (args.detailedExitcode) return 1;
  }
  return args.detailedExitcode && !plan.empty ? 2 : 0;
}

const OUT = 'the plan (--out)';
const COMMENT = 'the comment (--comment)';

/** --out, --comment and the step summary, checked before any org is read (see files.ts). */
function checkOutputs(args: PlanArgs, env: Env, inputs: readonly string[]): void {
  if (args.out !== undefined) checkOutputFile(args.out, { what: OUT, inputs });
  if (args.comment !== undefined) checkOutputFile(args.comment, { what: COMMENT, inputs });
  const summary = stepSummaryFile(env);
  if (summary !== undefined) checkOutputFile(summary, { what: STEP_SUMMARY, append: true, inputs });
}

function bestEffort(write: () => unknown): void {
  try {
    write();
  } catch {
    // The error being reported is the one that stopped the plan.
  }
}

/** The plan on stdout in the format asked for, and saved with --out; the live fingerprints only where JSON is written. */
function printPlan(
  session: Session,
  plan: Plan,
  args: PlanArgs,
  markdown: MarkdownOptions,
  live: LiveState,
  inputs: readonly string[],
): void {
  const { out, err } = session;
  const json = args.format === 'json' || args.out !== undefined ? renderPlanJson(toPlanFile(plan, live)) : undefined;
  if (args.format === 'json') out(json!);
  else if (args.format === 'markdown') out(renderPlanMarkdown(plan, { ...markdown, spokeMarkers: true }) + '\n');
  else out(renderPlanText(plan, { color: session.color }));
  if (args.out !== undefined) {
    writeOutputFile(args.out, json!, { what: OUT, inputs });
    // A plan with errors is kept for review only: apply refuses it, so nothing invites applying it.
    if (plan.errored) err(`Saved the plan to ${inert(args.out)} for review.\n`);
    else err(`Saved the plan to ${inert(args.out)}; apply it with: org2org apply ${inert(args.out)}\n`);
  }
}

function marker(args: PlanArgs): string {
  return commentMarker(args.global.config, args.spokes);
}

function writeComment(args: PlanArgs, text: string, inputs: readonly string[]): void {
  writeOutputFile(args.comment!, text, { what: COMMENT, inputs });
}

function reportPlanErrors(session: Session, plan: Plan): void {
  const n = plan.summary.errors;
  if (underGitHubActions(session.env)) {
    // stdout is usually redirected into a comment file there: the log and the PR get annotations.
    for (const d of [...(plan.diagnostics ?? []), ...plan.spokes.flatMap((s) => s.diagnostics ?? [])]) {
      if (d.severity === 'error') session.err(githubAnnotation({ ...d, message: d.spoke ? `${d.spoke}: ${d.message}` : d.message }) + '\n');
    }
  }
  session.err(`error: the plan has ${n} error${n === 1 ? '' : 's'} (listed above): fix the config or the orgs, then plan again.\n`);
}

interface PlanArgs {
  global: GlobalArgs;
  spokes: string[];
  out?: string;
  comment?: string;
  artifact?: string;
  printMarker: boolean;
  format: 'text' | 'markdown' | 'json';
  detailedExitcode: boolean;
  pacing: Pacing;
  allowances: Allowances;
  snapshot?: string;
  refresh: SnapshotArgs['refresh'];
}

function parsePlanArgs(argv: string[]): PlanArgs {
  const parsed = parseCommandArgs('plan', argv, {
    ...SPOKE_FLAGS,
    ...PACING_FLAGS,
    out: { type: 'string' },
    comment: { type: 'string' },
    artifact: { type: 'string' },
    'print-marker': { type: 'boolean' },
    format: { type: 'string' },
    'detailed-exitcode': { type: 'boolean' },
    ...SNAPSHOT_FLAGS,
    ...ALLOWANCE_FLAGS,
  });
  return {
    global: parsed.global,
    spokes: parsed.strings('spoke'),
    out: parsed.string('out'),
    comment: parsed.string('comment'),
    artifact: parsed.string('artifact'),
    printMarker: parsed.flag('print-marker'),
    format: parsed.choice('format', ['text', 'markdown', 'json'], 'text'),
    detailedExitcode: parsed.flag('detailed-exitcode'),
    pacing: pacingOf(parsed),
    allowances: allowancesOf(parsed).allowances,
    ...snapshotArgsOf(parsed),
  };
}

/** The entry point main.ts calls. */
export { runPlan as run };
