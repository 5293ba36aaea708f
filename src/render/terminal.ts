/**
 * What kind of terminal the run talks to, decided once and passed down (as cli-kit does): Ink
 * and prompts only when interactive, ANSI colour only when `color`. Nothing else guesses.
 */

export interface Terminal {
  /** Ink progress and prompts: stderr and stdin are TTYs, not in CI, no `--no-tty`. */
  interactive: boolean;
  /** ANSI colour: off under NO_COLOR, on under FORCE_COLOR (even when piped), else = interactive. */
  color: boolean;
}

interface MaybeTty {
  isTTY?: boolean;
}

export interface DetectTerminalOptions {
  /** `--no-tty`: plain lines even in a terminal. */
  noTty?: boolean;
  env?: NodeJS.ProcessEnv;
  stdin?: MaybeTty;
  stdout?: MaybeTty;
  stderr?: MaybeTty;
}

export function detectTerminal(options: DetectTerminalOptions = {}): Terminal {
  const env = options.env ?? process.env;
  const stdin = options.stdin ?? process.stdin;
  const stderr = options.stderr ?? process.stderr;
  // Progress and prompts are drawn on stderr and read from stdin; stdout may be piped to a file
  // (`plan --format json > plan.json`) while the admin still watches the progress.
  const interactive = !options.noTty && !inCi(env) && stderr.isTTY === true && stdin.isTTY === true;
  return { interactive, color: colorWanted(env, interactive) };
}

/** The same test as Ink's own (`is-in-ci`), so Ink never falls back to CI mode behind our back. */
function inCi(env: NodeJS.ProcessEnv): boolean {
  return isSet(env.CI) || isSet(env.CONTINUOUS_INTEGRATION);
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '0' && value !== 'false';
}

function colorWanted(env: NodeJS.ProcessEnv, interactive: boolean): boolean {
  // no-color.org: present and not empty disables colour, whatever else is set.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  // FORCE_COLOR=0 / false means "no colour" in the chalk/supports-color convention.
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return interactive;
}
