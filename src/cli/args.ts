/**
 * Command-line arguments, parsed once per command with one set of global flags that every
 * command accepts (`-c`, `--no-color`, `--no-tty`, `--debug`, `-h`), so a CI wrapper can pass
 * the same flags to any command. A misspelt option gets a suggestion instead of node's message;
 * Terraform's single-dash spellings (`-auto-approve`, `-out=plan.json`) are named as such.
 */
import { parseArgs } from 'node:util';
import { suggestClosest } from '../config/did-you-mean.js';
import { UsageError } from '../errors.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** Flags every command accepts; a command where one has nothing to do ignores it. */
export const GLOBAL_FLAGS = {
  config: { type: 'string', short: 'c' },
  'no-color': { type: 'boolean' },
  'no-tty': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

export const DEFAULT_CONFIG_FILE = 'org2org.config.yaml';

/** The global options as every command's help lists them. */
export const GLOBAL_HELP = `Global options (every command):
  -c, --config FILE   config file (default: ${DEFAULT_CONFIG_FILE})
      --no-color      no ANSI colour (also NO_COLOR; FORCE_COLOR forces it)
      --no-tty        plain progress lines, no prompts, even in a terminal
      --debug         log each API call to stderr, secrets masked (also ORG2ORG_DEBUG=1)
  -h, --help          this help (also \`org2org help <command>\`)`;

export interface GlobalArgs {
  config: string;
  noColor: boolean;
  noTty: boolean;
  debug: boolean;
  help: boolean;
}

export interface ParsedArgs {
  global: GlobalArgs;
  positionals: string[];
  /** A string option's value, or undefined when not given. */
  string(name: string): string | undefined;
  /** A boolean option: true when given. */
  flag(name: string): boolean;
  /** A repeatable option's values, in order (empty when not given). */
  strings(name: string): string[];
  /** A string option that must be one of `allowed`; `fallback` when not given. */
  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
}

export interface ParseOptions {
  /** How many positionals the command takes (default 0). */
  maxPositionals?: number;
  /** What the positionals are, for the error when there are too many (e.g. "saved plan file"). */
  positionalName?: string;
}

/**
 * Parse `argv` for `command`: its own flags plus the global ones. Every problem is a UsageError
 * that names the option, suggests the nearest one, and points at the command's help.
 */
export function parseCommandArgs(command: string, argv: string[], flags: FlagSpecs, options: ParseOptions = {}): ParsedArgs {
  const all: FlagSpecs = { ...GLOBAL_FLAGS, ...flags };
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${explainParseError(command, argv, all, e as Error)} Run \`org2org help ${command}\`.`);
  }
  const { values, positionals } = parsed;
  const max = options.maxPositionals ?? 0;
  if (positionals.length > max) {
    const extra = positionals[max]!;
    const what =
      max === 0
        ? `\`org2org ${command}\` takes no arguments`
        : `\`org2org ${command}\` takes at most ${max} ${options.positionalName ?? 'argument'}${max === 1 ? '' : 's'}`;
    const hint = suggestCommandFlag(extra, all);
    throw new UsageError(
      `unexpected argument "${extra}": ${what}.${hint ? ` Did you mean ${hint}?` : ''} Run \`org2org help ${command}\`.`,
    );
  }
  const value = (name: string): string | boolean | (string | boolean)[] | undefined => values[name];
  const string = (name: string): string | undefined => {
    const v = value(name);
    return typeof v === 'string' ? v : undefined;
  };
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = string(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be ${listOfChoices(allowed)} (got "${v}").`);
    return v as T;
  };
  return {
    global: {
      config: string('config') ?? DEFAULT_CONFIG_FILE,
      noColor: value('no-color') === true,
      noTty: value('no-tty') === true,
      debug: value('debug') === true,
      help: value('help') === true,
    },
    positionals,
    string,
    flag: (name) => value(name) === true,
    strings: (name) => {
      const v = value(name);
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
    },
    choice,
  };
}

/** "text", "text or json", "text, markdown or json". */
function listOfChoices(allowed: readonly string[]): string {
  return allowed.length <= 1 ? allowed.join('') : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
}

/** `--spoke NAME`, repeatable: the Spokes a command works on (every Spoke when none is named). */
export const SPOKE_FLAGS = {
  spoke: { type: 'string', multiple: true },
} as const satisfies FlagSpecs;

/** How hard the client may use each org's rate limits: `--max-api-capacity`, `--max-in-flight`. */
export const PACING_FLAGS = {
  'max-api-capacity': { type: 'string' },
  'max-in-flight': { type: 'string' },
} as const satisfies FlagSpecs;

/** The pacing flags a command was given (each undefined when not given: the client's default). */
export interface Pacing {
  maxApiCapacity?: number;
  maxInFlight?: number;
}

export function pacingOf(parsed: ParsedArgs): Pacing {
  const capacity = parsed.string('max-api-capacity');
  const inFlight = parsed.string('max-in-flight');
  return {
    ...(capacity !== undefined ? { maxApiCapacity: parseCapacity(capacity) } : {}),
    ...(inFlight !== undefined ? { maxInFlight: parseMaxInFlight(inFlight) } : {}),
  };
}

/** `--max-api-capacity`: a share in (0, 1] or a percentage ("50%", or "50" meaning percent when > 1). */
export function parseCapacity(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  let value = NaN;
  if (m) {
    const n = Number(m[1]);
    value = m[2] || n > 1 ? n / 100 : n;
  }
  if (!(value > 0 && value <= 1))
    throw new UsageError(`--max-api-capacity must be a share in (0, 1] or a percentage such as 50% (got "${text}").`);
  return value;
}

/** `--max-in-flight`: the ceiling of the adaptive in-flight limit per org, 1–75 (Okta's concurrency limit per org). */
export function parseMaxInFlight(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 75)
    throw new UsageError(`--max-in-flight must be a whole number from 1 to 75, Okta's concurrency limit per org (got "${text}").`);
  return n;
}

/** Whether `--debug` or ORG2ORG_DEBUG=1 asks for API-call logging and stacks. */
export function debugRequested(global: GlobalArgs, env: Record<string, string | undefined>): boolean {
  return global.debug || env.ORG2ORG_DEBUG === '1';
}

/**
 * One sentence for what node's parseArgs refused. It reports `-auto-approve` as the unknown
 * short option `-a`, and an unknown long option with advice about `--` positionals: neither
 * helps, so the token is found again here and explained.
 */
function explainParseError(command: string, argv: string[], flags: FlagSpecs, error: Error): string {
  const names = Object.keys(flags);
  const shorts = new Map(Object.entries(flags).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0]!;
      const spec = flags[name];
      if (!spec) {
        const near = suggestClosest(name, names);
        return `unknown option "--${name}" for \`org2org ${command}\`.${near ? ` Did you mean "--${near}"?` : ''}`;
      }
      if (spec.type === 'string' && !token.includes('=')) i++;
      else if (spec.type === 'boolean' && token.includes('=')) return `"--${name}" takes no value (got "${token}").`;
      continue;
    }
    if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) {
      const body = token.slice(1);
      const shortName = shorts.get(body[0]!);
      if (body.length === 1) {
        if (!shortName) return `unknown option "${token}" for \`org2org ${command}\`.`;
        if (flags[shortName]!.type === 'string') i++;
        continue;
      }
      // A known short string option with its value attached (`-cfile.yaml`) is fine.
      if (shortName && flags[shortName]!.type === 'string' && !names.includes(body.split('=')[0]!)) continue;
      const name = body.split('=')[0]!;
      const value = body.includes('=') ? body.slice(name.length) : '';
      if (names.includes(name)) {
        return `unknown option "${token}": org2org's options take two dashes (Terraform's take one). Did you mean "--${name}${value}"?`;
      }
      const near = suggestClosest(name, names);
      return `unknown option "${token}" for \`org2org ${command}\` (org2org's options take two dashes).${near ? ` Did you mean "--${near}"?` : ''}`;
    }
  }
  return error.message.split('\n')[0]!.replace(/\.?$/, '.');
}

/** A positional that looks like an option spelt without dashes (`auto-approve`): its flag. */
function suggestCommandFlag(word: string, flags: FlagSpecs): string | undefined {
  const bare = word.replace(/^-+/, '');
  if (flags[bare]) return `"--${bare}"`;
  return undefined;
}
