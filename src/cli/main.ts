/**
 * org2org's entry point: pick the command, run it, map the closed set of errors to exit codes.
 * Each command lives in ./commands/<name>.ts and exports `run(argv: string[]): Promise<number>`.
 * Nothing else catches errors; an unexpected one is reported as a bug without a stack trace
 * (--debug or ORG2ORG_DEBUG=1 shows it).
 */
import { Org2OrgError, ConfigError, InterruptedError } from '../errors.js';
import { githubAnnotation, underGitHubActions } from './annotations.js';
import { VERSION } from '../version.js';
import { suggestClosest } from '../config/did-you-mean.js';
import { watchInterrupts } from './interrupt.js';
import { guardStream, inert, inertBlock } from '../inert.js';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

export const COMMANDS: Record<string, Command> = {
  init: { summary: 'make a config repository: config, schema, CI workflows, .gitignore', load: () => import('./commands/init.js') },
  validate: { summary: 'check the config file offline (schema and rules)', load: () => import('./commands/validate.js') },
  check: { summary: "test every org's API credentials and each provisioning connection", load: () => import('./commands/check.js') },
  plan: { summary: 'read the live orgs and show what would change', load: () => import('./commands/plan.js') },
  apply: { summary: 'make the live orgs match the config (or a saved plan)', load: () => import('./commands/apply.js') },
  drift: {
    summary: 'a scheduled run: plan, then report, propose (config edit for a PR) or revert each drift by its policy',
    load: () => import('./commands/drift.js'),
  },
  show: { summary: 'print a saved plan (plan --out) as text, Markdown or JSON', load: () => import('./commands/show.js') },
  export: { summary: 'write a config from a live setup, to adopt it', load: () => import('./commands/export.js') },
  'rotate-keys': {
    summary: "rotate a Spoke's OAuth 2.0 connection key (MANUAL), with no failed push",
    load: () => import('./commands/rotate-keys.js'),
  },
  sim: { summary: 'run the embedded Okta simulator (hub and spoke orgs on loopback)', load: () => import('./commands/sim.js') },
  demo: { summary: 'plan → apply → plan against the simulator (what `npm start` runs)', load: () => import('./commands/demo.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `org2org ${VERSION} — Okta Org2Org provisioning as code`,
    '',
    'Usage: org2org <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `org2org help <command>` for its options. Every command takes -c FILE, --no-color, --no-tty, --debug.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // Global flags may come before the command (`org2org --no-color plan`): they are passed on to it.
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && LEADING_GLOBAL.has(argv[i]!)) {
    leading.push(argv[i]!);
    if (argv[i] === '-c' || argv[i] === '--config') leading.push(argv[++i] ?? '');
    i++;
  }
  const [name, ...rest] = argv.slice(i);
  if (name === undefined || name === 'help' || ((name === '--help' || name === '-h') && rest.length === 0)) {
    if (name === 'help' && rest[0] !== undefined) return runCommand(rest[0], ['--help']);
    process.stdout.write(usage() + '\n');
    return name === undefined && !leading.includes('--help') && !leading.includes('-h') ? 1 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  return runCommand(name, [...leading, ...rest]);
}

const STOPS_CLEANLY = new Set(['check', 'plan', 'apply', 'export', 'init', 'rotate-keys', 'demo', 'drift']);

const LEADING_GLOBAL = new Set(['--no-color', '--no-tty', '--debug', '-c', '--config', '--help', '-h']);

async function runCommand(name: string, argv: string[]): Promise<number> {
  const command = COMMANDS[name];
  if (!command) {
    const near = suggestClosest(name.replace(/^-+/, ''), Object.keys(COMMANDS));
    const hint = near ? ` Did you mean \`org2org ${near}\`?` : '';
    process.stderr.write(`org2org: unknown command "${name}".${hint} Run \`org2org help\` for the list.\n`);
    return 1;
  }
  // Commands that talk to orgs stop cleanly on Ctrl-C; the others keep Node's default (sim has its own).
  const unwatch = STOPS_CLEANLY.has(name) ? watchInterrupts((text) => process.stderr.write(text)) : () => {};
  try {
    const mod = await command.load();
    return await mod.run(argv);
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  } finally {
    unwatch();
  }
}

export function reportError(err: unknown, debug = false): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`${inertBlock(err.message)}\n`);
    // Under GitHub Actions each problem is an annotation on its line of the config.
    const annotate = underGitHubActions(process.env);
    for (const p of err.problems) {
      process.stderr.write(
        `${annotate ? githubAnnotation(p) : `${inert(p.file)}:${p.line}:${p.col} ${p.severity}: ${inert(p.message)}`}\n`,
      );
    }
    return err.exitCode;
  }
  if (err instanceof Org2OrgError) {
    // Ctrl-C is the user's doing, not an error.
    const message = inertBlock(err.message);
    process.stderr.write(err instanceof InterruptedError ? `${message}\n` : `error: ${message}\n`);
    return err.exitCode;
  }
  const detail = inertBlock(err instanceof Error ? err.message : String(err));
  process.stderr.write(`org2org: internal error: ${detail}\nThis is a bug; please report it (run with --debug for details).\n`);
  if ((debug || process.env.ORG2ORG_DEBUG === '1') && err instanceof Error && err.stack) process.stderr.write(inertBlock(err.stack) + '\n');
  return 70;
}

const invokedDirectly = process.argv[1] !== undefined && /(?:cli[\\/]main\.[jt]s|bin[\\/]org2org(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  // Under GitHub Actions no line org2org prints can start a workflow command it did not write.
  if (underGitHubActions(process.env)) {
    guardStream(process.stdout);
    guardStream(process.stderr);
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = reportError(err);
    },
  );
}
