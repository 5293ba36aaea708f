/**
 * What the commands share: the config loader's signature (tests inject their own), building one
 * Okta client per org from DesiredState, choosing Spokes, the git
 * commit a plan was made at, and GitHub Actions' step summary, and where progress goes.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import type { DesiredState } from '../config/types.js';
import { UsageError, type SourceProblem } from '../errors.js';
import { createOktaClient } from '../okta/client.js';
import type { ClientEvent, OktaClient, OktaClientOptions } from '../okta/types.js';
import { createProgress, type Progress } from '../render/progress.js';
import type { MarkdownOptions } from '../render/markdown.js';
import { detectTerminal } from '../render/terminal.js';
import type { LiveClients } from '../state/read-live-state.js';

export type Env = Record<string, string | undefined>;

export type LoadConfig = (
  file: string,
  options: { env?: Env; requireSecrets: boolean; spokes?: readonly string[] },
) => Promise<{ desired: DesiredState; warnings: SourceProblem[] }>;

/** Where a command writes and which environment it reads: the process's, unless a test injects its own. */
export function commandIo(io: { stdout?: (text: string) => void; stderr?: (text: string) => void; env?: Env }): {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Env;
} {
  return {
    out: io.stdout ?? ((text) => void process.stdout.write(text)),
    err: io.stderr ?? ((text) => void process.stderr.write(text)),
    env: io.env ?? process.env,
  };
}

/** The config restricted to the named Spokes (all when none are named); unknown names are a usage error. */
export function selectSpokes(desired: DesiredState, names: string[]): DesiredState {
  if (names.length === 0) return desired;
  const known = desired.spokes.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"${n}"`).join(', ');
    throw new UsageError(`no spoke named ${list} in ${desired.file} (spokes: ${known.join(', ') || 'none'}).`);
  }
  return { ...desired, spokes: desired.spokes.filter((s) => names.includes(s.name)) };
}

/** `--max-api-capacity`: a share in (0, 1] or a percentage ("50%", or "50" meaning percent when > 1). */
export function parseCapacity(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  let value = NaN;
  if (m) {
    const n = Number(m[1]);
    value = m[2] || n > 1 ? n / 100 : n;
  }
  if (!(value > 0 && value <= 1)) throw new UsageError(`--max-api-capacity must be a share in (0, 1] or a percentage such as 50% (got "${text}").`);
  return value;
}

/** `--max-in-flight`: the ceiling of the adaptive in-flight limit per org, 1–75 (Okta's concurrency limit per org). */
export function parseMaxInFlight(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 75) throw new UsageError(`--max-in-flight must be a whole number from 1 to 75, Okta's concurrency limit per org (got "${text}").`);
  return n;
}

export interface ClientSettings {
  maxApiCapacity?: number;
  /** Ceiling of requests in flight per org (the client's default is 32; Okta's org-wide limit is 75, 35 on free orgs). */
  maxInFlight?: number;
  debug?: boolean;
  onEvent?: (event: ClientEvent) => void;
  /** Client factory (tests); defaults to createOktaClient. */
  createClient?: (options: OktaClientOptions) => OktaClient;
}

/** One client per Spoke of `desired` and one for the Hub when the config gives it credentials. */
export function buildClients(desired: DesiredState, settings: ClientSettings = {}): LiveClients {
  const make = (org: string, baseUrl: string, auth: OktaClientOptions['auth'], urlSource?: string): OktaClient =>
    (settings.createClient ?? createOktaClient)({
      org,
      baseUrl,
      auth,
      ...(urlSource !== undefined ? { urlSource } : {}),
      ...(settings.maxApiCapacity !== undefined ? { maxApiCapacity: settings.maxApiCapacity } : {}),
      ...(settings.maxInFlight !== undefined ? { maxInFlight: settings.maxInFlight } : {}),
      ...(settings.debug !== undefined ? { debug: settings.debug } : {}),
      ...(settings.onEvent ? { onEvent: settings.onEvent } : {}),
    });
  const spokes: Record<string, OktaClient> = {};
  const provisioning: Record<string, OktaClient> = {};
  for (const spoke of desired.spokes) {
    spokes[spoke.name] = make(spoke.name, spoke.url, spoke.auth, spoke.urlSource);
    // The provisioning token is tested against the Hub (it can't be read back from the Spoke).
    const connection = spoke.connection;
    if (connection?.authScheme === 'TOKEN' && connection.token.isSet) {
      provisioning[spoke.name] = make(`${spoke.name} provisioning token`, desired.hub.url, { kind: 'token', token: connection.token }, desired.hub.urlSource);
    }
  }
  const clients: LiveClients = { spokes, provisioning };
  if (desired.hub.auth) clients.hub = make('hub', desired.hub.url, desired.hub.auth, desired.hub.urlSource);
  return clients;
}

/** The commit checked out in `cwd` and whether the tree has uncommitted changes; undefined outside git. */
export function gitCommit(cwd: string = process.cwd()): { commit: string; dirty: boolean } | undefined {
  try {
    const run = (args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = run(['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    return { commit, dirty: run(['status', '--porcelain', '--untracked-files=no']) !== '' };
  } catch {
    return undefined;
  }
}

/** Under GitHub Actions, append Markdown to the job's step summary. Returns whether it did. */
export function appendStepSummary(markdown: string, env: Env): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (env.GITHUB_ACTIONS !== 'true' || !file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n');
  return true;
}

/** Colour on stdout: never with --no-color or NO_COLOR; FORCE_COLOR forces it; else only on a TTY. */
export function useColor(noColorFlag: boolean, env: Env, isTTY: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

/**
 * Progress on stderr: Ink in an interactive terminal, plain lines otherwise. Tests that capture
 * stderr get the plain lines through their function.
 */
export function progressFor(io: { stderr?: (text: string) => void }, err: (t: string) => void, noTty: boolean, env: Env): Progress {
  if (io.stderr) {
    const stream = { write: (text: string) => (err(text), true) } as unknown as NodeJS.WriteStream;
    return createProgress({ interactive: false, color: false }, { stream });
  }
  return createProgress(detectTerminal({ noTty, env: env as NodeJS.ProcessEnv }));
}

/** Under GitHub Actions, a cut comment links to the run, where the workflow keeps the full plan as an artifact. */
export function markdownOptions(env: Env): MarkdownOptions {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? { fullPlanUrl: `${server}/${repo}/actions/runs/${run}` } : {};
}
