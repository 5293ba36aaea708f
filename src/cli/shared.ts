/**
 * What the commands share: the config loader's signature (tests inject their own), building one
 * Okta client per org from DesiredState, choosing Spokes, colour on stdout, the git commit a plan
 * was made at, and GitHub Actions' step summary. ./session.ts puts them together.
 */
import { execFileSync } from 'node:child_process';
import type { DesiredState } from '../config/types.js';
import { UsageError, type SourceProblem } from '../errors.js';
import { createOktaClient } from '../okta/client.js';
import { writeOutputFile } from './files.js';
import type { ClientEvent, OktaClient, OktaClientOptions } from '../okta/types.js';
import type { MarkdownOptions } from '../render/markdown.js';
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
export function selectSpokes(desired: DesiredState, names: readonly string[]): DesiredState {
  if (names.length === 0) return desired;
  const known = desired.spokes.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"${n}"`).join(', ');
    throw new UsageError(`no spoke named ${list} in ${desired.file} (spokes: ${known.join(', ') || 'none'}).`);
  }
  return { ...desired, spokes: desired.spokes.filter((s) => names.includes(s.name)) };
}

export interface ClientSettings {
  maxApiCapacity?: number;
  /** Ceiling of requests in flight per org (the client's default is 32; Okta's org-wide limit is 75, 35 on free orgs). */
  maxInFlight?: number;
  debug?: boolean;
  onEvent?: (event: ClientEvent) => void;
  /** Client factory (tests); defaults to createOktaClient. */
  createClient?: (options: OktaClientOptions) => OktaClient;
  /** Ctrl-C: the clients drop requests not yet sent. */
  signal?: AbortSignal;
}

/** Makes the client of one org with the same settings as every other. */
export function clientFactory(
  settings: ClientSettings,
): (org: string, baseUrl: string, auth: OktaClientOptions['auth'], urlSource?: string) => OktaClient {
  return (org, baseUrl, auth, urlSource) =>
    (settings.createClient ?? createOktaClient)({
      org,
      baseUrl,
      auth,
      ...(urlSource !== undefined ? { urlSource } : {}),
      ...(settings.maxApiCapacity !== undefined ? { maxApiCapacity: settings.maxApiCapacity } : {}),
      ...(settings.maxInFlight !== undefined ? { maxInFlight: settings.maxInFlight } : {}),
      ...(settings.debug !== undefined ? { debug: settings.debug } : {}),
      ...(settings.onEvent ? { onEvent: settings.onEvent } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
    });
}

/** One client per Spoke of `desired` and one for the Hub when the config gives it credentials. */
export function buildClients(desired: DesiredState, settings: ClientSettings = {}): LiveClients {
  const make = clientFactory(settings);
  const spokes: Record<string, OktaClient> = {};
  const provisioning: Record<string, OktaClient> = {};
  for (const spoke of desired.spokes) {
    spokes[spoke.name] = make(spoke.name, spoke.url, spoke.auth, spoke.urlSource);
    // The provisioning token is tested against the Hub (it can't be read back from the Spoke).
    const connection = spoke.connection;
    if (connection?.authScheme === 'TOKEN' && connection.token.isSet) {
      provisioning[spoke.name] = make(
        `${spoke.name} provisioning token`,
        desired.hub.url,
        { kind: 'token', token: connection.token },
        desired.hub.urlSource,
      );
    }
  }
  const clients: LiveClients = { spokes, provisioning };
  if (desired.hub.auth) clients.hub = make('hub', desired.hub.url, desired.hub.auth, desired.hub.urlSource);
  return clients;
}

/** The commit checked out in `cwd` and whether the tree has uncommitted changes; undefined outside git. */
export function gitCommit(cwd: string = process.cwd()): { commit: string; dirty: boolean } | undefined {
  try {
    const run = (args: string[]): string =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = run(['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    return { commit, dirty: run(['status', '--porcelain', '--untracked-files=no']) !== '' };
  } catch {
    return undefined;
  }
}

/** The step summary file under GitHub Actions, undefined elsewhere. */
export function stepSummaryFile(env: Env): string | undefined {
  const file = env.GITHUB_STEP_SUMMARY;
  return env.GITHUB_ACTIONS === 'true' && file ? file : undefined;
}

export const STEP_SUMMARY = 'the step summary ($GITHUB_STEP_SUMMARY)';

/**
 * Under GitHub Actions, append Markdown to the job's step summary (never through a link, onto an
 * input or into anything but a regular file: see files.ts). Returns whether it did.
 */
export function appendStepSummary(markdown: string, env: Env, inputs: readonly string[] = []): boolean {
  const file = stepSummaryFile(env);
  if (file === undefined) return false;
  writeOutputFile(file, markdown.endsWith('\n') ? markdown : markdown + '\n', { what: STEP_SUMMARY, append: true, inputs });
  return true;
}

/** Colour on stdout: never with --no-color or NO_COLOR; FORCE_COLOR forces it; else only on a TTY. */
export function useColor(noColorFlag: boolean, env: Env, isTTY: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

/** Under GitHub Actions, a cut comment links to the run, where the workflow keeps the full plan as an artifact. */
export function markdownOptions(env: Env): MarkdownOptions {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? { fullPlanUrl: `${server}/${repo}/actions/runs/${run}` } : {};
}
