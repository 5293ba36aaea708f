/**
 * `org2org plan`: load the config (secrets required), read the live orgs, compute the plan,
 * print it (stdout), report progress (stderr), save it with --out, and under GitHub Actions add
 * it to the step summary. Exit 0; 1 on error or when the plan has errors; 2 with
 * --detailed-exitcode when there are changes.
 */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import type { OktaClient, OktaClientOptions } from '../../okta/types.js';
import { createPlan } from '../../plan/create-plan.js';
import type { Plan } from '../../plan/types.js';
import { renderPlanJson } from '../../render/json.js';
import { renderPlanMarkdown } from '../../render/markdown.js';
import { renderPlanText } from '../../render/text.js';
import { readLiveState } from '../../state/read-live-state.js';
import { VERSION } from '../../version.js';
import { githubAnnotation, underGitHubActions } from '../annotations.js';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { commandIo, appendStepSummary, progressFor, buildClients, gitCommit, markdownOptions, parseCapacity, parseMaxInFlight, selectSpokes, useColor, type Env, type LoadConfig } from '../shared.js';

const HELP = `Usage: org2org plan [-c FILE] [--spoke NAME]… [--out FILE] [--format text|markdown|json]
                    [--detailed-exitcode] [--max-api-capacity PCT] [--no-color]

Reads the live Spoke orgs (and the Hub, when the config gives it credentials), compares them with
the config and shows what \`org2org apply\` would change. Nothing is written to any org.

Options:
      --spoke NAME           plan only this Spoke (repeatable; default: every Spoke); only its
                             and the Hub's variables are read, the others need not be set
      --out FILE             also save the plan as JSON, for \`org2org apply FILE\`
      --format FORMAT        text (default), markdown (for a pull-request comment) or json
      --detailed-exitcode    exit 2 when the plan has changes (0: none, 1: error)
      --max-api-capacity N   share of each rate-limit bucket to use: 0–1 or a percentage (default 50%)
      --max-in-flight N      ceiling of requests in flight per org, 1–75 (default 32;
                             adaptive below it: starts at 8, grows, backs off)

${GLOBAL_HELP}

Under GitHub Actions the plan is also appended to $GITHUB_STEP_SUMMARY as Markdown.
Exit: 0 ok, 1 error (or a plan with errors), 2 changes (with --detailed-exitcode).`;

export interface PlanIo {
  env?: Env;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  stdoutIsTTY?: boolean;
  /** Config loader (tests); defaults to src/config/load.ts. */
  loadConfig?: LoadConfig;
  createClient?: (options: OktaClientOptions) => OktaClient;
  now?: () => Date;
  cwd?: string;
}

export async function run(argv: string[]): Promise<number> {
  return runPlan(argv);
}

export async function runPlan(argv: string[], io: PlanIo = {}): Promise<number> {
  const { out, err, env } = commandIo(io);
  const args = parsePlanArgs(argv);
  if (args.help) {
    out(HELP + '\n');
    return 0;
  }

  const load = io.loadConfig ?? loadConfig;
  const { desired: full, warnings } = await load(args.config, { env, requireSecrets: true, spokes: args.spokes });
  for (const w of warnings) err(`${w.file}:${w.line}:${w.col} ${w.severity}: ${w.message}\n`);
  const desired = selectSpokes(full, args.spokes);

  const capacity = args.capacity ?? 0.5;
  const progress = progressFor(io, err, args.noTty, env);
  const clients = buildClients(desired, {
    maxApiCapacity: capacity,
    ...(args.maxInFlight !== undefined ? { maxInFlight: args.maxInFlight } : {}),
    ...(args.debug || env.ORG2ORG_DEBUG === '1' ? { debug: true } : {}),
    onEvent: (e) => progress.client(e),
    ...(io.createClient ? { createClient: io.createClient } : {}),
  });
  let live;
  try {
    live = await readLiveState(desired, clients, { onEvent: (e) => progress.read(e) });
  } finally {
    // Released before anything goes to stdout (and before an error is printed).
    await progress.stop();
  }

  const plan: Plan = createPlan(desired, live, { maxApiCapacity: capacity, toolVersion: VERSION });
  plan.createdAt = (io.now?.() ?? new Date()).toISOString();
  const git = gitCommit(io.cwd);
  if (git) plan.git = git;

  const color = useColor(args.noColor, env, io.stdoutIsTTY ?? process.stdout.isTTY === true);
  if (args.format === 'json') out(renderPlanJson(plan));
  else if (args.format === 'markdown') out(renderPlanMarkdown(plan, markdownOptions(env)) + '\n');
  else out(renderPlanText(plan, { color }));

  if (args.out !== undefined) {
    writeFileSync(args.out, renderPlanJson(plan));
    err(`Saved the plan to ${args.out}; apply it with: org2org apply ${args.out}\n`);
  }
  appendStepSummary(renderPlanMarkdown(plan, markdownOptions(env)), env);

  if (plan.errored) {
    const n = plan.summary.errors;
    if (underGitHubActions(env)) {
      // stdout is usually redirected into a comment file there: the log and the PR get annotations.
      for (const d of [...(plan.diagnostics ?? []), ...plan.spokes.flatMap((s) => s.diagnostics ?? [])]) {
        if (d.severity === 'error') err(githubAnnotation({ ...d, message: d.spoke ? `${d.spoke}: ${d.message}` : d.message }) + '\n');
      }
    }
    err(`error: the plan has ${n} error${n === 1 ? '' : 's'} (listed above): fix the config or the orgs, then plan again.\n`);
    return 1;
  }
  return args.detailedExitcode && !plan.empty ? 2 : 0;
}

interface PlanArgs {
  config: string;
  spokes: string[];
  out?: string;
  format: 'text' | 'markdown' | 'json';
  detailedExitcode: boolean;
  capacity?: number;
  maxInFlight?: number;
  noColor: boolean;
  noTty: boolean;
  debug: boolean;
  help: boolean;
}

function parsePlanArgs(argv: string[]): PlanArgs {
  const parsed = parseCommandArgs('plan', argv, {
    spoke: { type: 'string', multiple: true },
    out: { type: 'string' },
    format: { type: 'string' },
    'detailed-exitcode': { type: 'boolean' },
    'max-api-capacity': { type: 'string' },
    'max-in-flight': { type: 'string' },
  });
  const format = parsed.string('format') ?? 'text';
  if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format must be text, markdown or json (got "${format}").`);
  const { global } = parsed;
  const args: PlanArgs = {
    config: global.config,
    spokes: parsed.strings('spoke'),
    format,
    detailedExitcode: parsed.flag('detailed-exitcode'),
    noColor: global.noColor,
    noTty: global.noTty,
    debug: global.debug,
    help: global.help,
  };
  const outFile = parsed.string('out');
  if (outFile !== undefined) args.out = outFile;
  const capacity = parsed.string('max-api-capacity');
  if (capacity !== undefined) args.capacity = parseCapacity(capacity);
  const inFlight = parsed.string('max-in-flight');
  if (inFlight !== undefined) args.maxInFlight = parseMaxInFlight(inFlight);
  return args;
}
