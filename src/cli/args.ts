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
    const what = max === 0 ? `\`org2org ${command}\` takes no arguments` : `\`org2org ${command}\` takes at most ${max} ${options.positionalName ?? 'argument'}${max === 1 ? '' : 's'}`;
    const hint = suggestCommandFlag(extra, all);
    throw new UsageError(`unexpected argument "${extra}": ${what}.${hint ? ` Did you mean ${hint}?` : ''} Run \`org2org help ${command}\`.`);
  }
  const value = (name: string): string | boolean | (string | boolean)[] | undefined => values[name];
  const string = (name: string): string | undefined => {
    const v = value(name);
    return typeof v === 'string' ? v : undefined;
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
  };
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
