/**
 * What check, plan, apply, export and rotate-keys do before their own work, done once: where
 * they write and which environment they read, the terminal (Ink and prompts only when it is
 * interactive), the config with its warnings on stderr and restricted to the chosen Spokes, one
 * client per org, and progress on stderr that the clients report their waits to.
 *
 *   const session = startSession(io, args.global);
 *   const desired = await session.loadConfig(args.global.config, args.spokes);
 *   const progress = session.startProgress();
 *   const clients = session.clients(desired, args.pacing);
 */
import { setMaxListeners } from 'node:events';
import { loadConfig } from '../config/load.js';
import { InterruptedError } from '../errors.js';
import { inert } from '../inert.js';
import type { DesiredState } from '../config/types.js';
import type { OrgAuth } from '../credentials.js';
import type { ClientEvent, OktaClient, OktaClientOptions } from '../okta/types.js';
import { createProgress, type Progress } from '../render/progress.js';
import { detectTerminal, type Terminal } from '../render/terminal.js';
import type { LiveClients } from '../state/read-live-state.js';
import { debugRequested, type GlobalArgs, type Pacing } from './args.js';
import { interruptSignal } from './interrupt.js';
import { buildClients, clientFactory, type ClientSettings } from './clients.js';
import { selectSpokes, type LoadConfig } from './config-selection.js';
import { commandIo, type Env, useColor } from './io.js';

/** What a test (or an embedding program) may put in place of the process's own. */
export interface SessionIo {
  env?: Env;
  stdout?: (text: string) => void;
  /** Injected stderr: progress is plain lines into it, and there is no terminal to prompt in. */
  stderr?: (text: string) => void;
  stdoutIsTTY?: boolean;
  /** Config loader; defaults to src/config/load.ts. */
  loadConfig?: LoadConfig;
  /** Client factory; defaults to createOktaClient. */
  createClient?: (options: OktaClientOptions) => OktaClient;
  /** Clock for the timestamps of plans and exported files. */
  now?: () => Date;
  /** Sees every client's events (API calls, waits, retries), after the progress. */
  onEvent?: (event: ClientEvent) => void;
  /** Ctrl-C; defaults to the one the CLI's entry point installs (none in tests). */
  signal?: AbortSignal;
}

export interface Session {
  /** Prints a command's help on stdout; its exit code (0). */
  help(text: string): number;
  out: (text: string) => void;
  err: (text: string) => void;
  env: Env;
  /** Where progress and prompts go. */
  term: Terminal;
  /** ANSI colour on stdout. */
  color: boolean;
  /** `--debug` or ORG2ORG_DEBUG=1: every API call logged to stderr, secrets masked. */
  debug: boolean;
  /** The config (secrets required), its warnings printed, restricted to `spokes` (all when empty). */
  /** `applySecretsOptional`: plan's load, which needs only the names of the secrets apply sends. */
  loadConfig(file: string, spokes: readonly string[], options?: { applySecretsOptional?: boolean }): Promise<DesiredState>;
  /** New progress on stderr; from now on the clients report their waits and retries to it. */
  startProgress(): Progress;
  /**
   * `read` with progress on stderr, released before anything reaches stdout (or an error stderr).
   * A read cut short by Ctrl-C is an InterruptedError saying `interrupted`, never a partial result.
   */
  readWithProgress<T>(interrupted: string, read: (progress: Progress) => Promise<T>): Promise<T>;
  /** One client per Spoke (and provisioning token, and the Hub when it has credentials). */
  clients(desired: DesiredState, pacing?: Pacing, onEvent?: (event: ClientEvent) => void): LiveClients;
  /** One client of one org, paced and logged like the others. */
  client(org: string, baseUrl: string, auth: OrgAuth, onEvent?: (event: ClientEvent) => void): OktaClient;
  /** Aborted by the first Ctrl-C: the clients then drop requests not yet sent. */
  signal: AbortSignal;
  /** What the first Ctrl-C says from now on (on the progress while one runs, else on stderr). */
  whenStopping(message: string): void;
  /** Throws InterruptedError (exit 130) saying `what` when Ctrl-C was pressed. */
  throwIfInterrupted(what: string): void;
}

const STOPPING = 'Stopping: reads in flight are cut off, nothing new is sent. Ctrl-C again to exit at once.';

export function startSession(io: SessionIo, global: GlobalArgs): Session {
  const { out, err, env } = commandIo(io);
  const term = io.stderr ? { interactive: false, color: false } : detectTerminal({ noTty: global.noTty, env: env as NodeJS.ProcessEnv });
  const debug = debugRequested(global, env);
  const signal = io.signal ?? interruptSignal() ?? new AbortController().signal;
  // Each client listens to it, one per org and provisioning token (and the demo runs three
  // sessions): many listeners are the design, not a leak for Node to warn about.
  setMaxListeners(0, signal);
  const progress = progressOfSession(io, term, err, signal);
  const settings = (pacing: Pacing, onEvent?: (event: ClientEvent) => void): ClientSettings => ({
    ...pacing,
    ...(debug ? { debug: true } : {}),
    onEvent: (event) => {
      progress.current()?.client(event);
      onEvent?.(event);
      io.onEvent?.(event);
    },
    createClient: io.createClient,
    signal,
  });
  return {
    help: (text) => (out(text + '\n'), 0),
    out,
    err,
    env,
    term,
    color: useColor(global.noColor, env, io.stdoutIsTTY ?? process.stdout.isTTY === true),
    debug,
    async loadConfig(file, spokes, options = {}) {
      const { desired, warnings } = await (io.loadConfig ?? loadConfig)(file, {
        env,
        requireSecrets: true,
        spokes,
        ...(options.applySecretsOptional ? { applySecretsOptional: true } : {}),
      });
      for (const w of warnings) err(`${inert(w.file)}:${w.line}:${w.col} ${w.severity}: ${inert(w.message)}\n`);
      return selectSpokes(desired, [...spokes]);
    },
    startProgress: progress.start,
    readWithProgress: progress.read,
    clients: (desired, pacing = {}, onEvent) => buildClients(desired, settings(pacing, onEvent)),
    client: (org, baseUrl, auth, onEvent) => clientFactory(settings({}, onEvent))(org, baseUrl, auth),
    signal,
    whenStopping: progress.whenStopping,
    throwIfInterrupted: progress.throwIfInterrupted,
  };
}

/** The session's progress (one at a time, the one the clients report to) and what Ctrl-C says and stops. */
function progressOfSession(io: SessionIo, term: Terminal, err: (text: string) => void, signal: AbortSignal) {
  // An injected stderr gets the plain lines through its function.
  const stream = io.stderr ? ({ write: (text: string) => (err(text), true) } as unknown as NodeJS.WriteStream) : undefined;
  let progress: Progress | undefined;
  let stopping = STOPPING;
  signal.addEventListener('abort', () => (progress ? progress.message(stopping) : err(`${stopping}\n`)), { once: true });
  const start = (): Progress => {
    const started = createProgress(term, { stream });
    const current: Progress = {
      ...started,
      stop: () => {
        if (progress === current) progress = undefined;
        return started.stop();
      },
    };
    progress = current;
    return current;
  };
  const throwIfInterrupted = (what: string): void => {
    if (signal.aborted) throw new InterruptedError(`Interrupted: ${what}`);
  };
  const read = async <T>(interrupted: string, reader: (progress: Progress) => Promise<T>): Promise<T> => {
    const reading = start();
    let value: T;
    try {
      value = await reader(reading);
    } catch (error) {
      throwIfInterrupted(interrupted);
      throw error;
    } finally {
      await reading.stop();
    }
    throwIfInterrupted(interrupted);
    return value;
  };
  return {
    current: (): Progress | undefined => progress,
    start,
    read,
    whenStopping: (message: string): void => void (stopping = message),
    throwIfInterrupted,
  };
}
