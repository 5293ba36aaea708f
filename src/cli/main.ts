/**
 * org2org's entry point: pick the command, run it, map the closed set of errors to exit codes.
 * Each command lives in ./commands/<name>.ts and exports `run(argv: string[]): Promise<number>`.
 * Nothing else catches errors; an unexpected one is reported as a bug without a stack trace
 * (set ORG2ORG_DEBUG=1 to see it).
 */
import { Org2OrgError, ConfigError } from '../errors.js';
import { VERSION } from '../version.js';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

export const COMMANDS: Record<string, Command> = {
  validate: { summary: 'check the config file offline (schema and rules)', load: () => import('./commands/validate.js') },
  check: { summary: "test every org's API credentials and each provisioning connection", load: () => import('./commands/check.js') },
  plan: { summary: 'read the live orgs and show what would change', load: () => import('./commands/plan.js') },
  apply: { summary: 'make the live orgs match the config (or a saved plan)', load: () => import('./commands/apply.js') },
  export: { summary: 'write a config from a live setup, to adopt it', load: () => import('./commands/export.js') },
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
    'Run `org2org <command> --help` for its options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`org2org: unknown command "${name}". Run \`org2org --help\` for the list.\n`);
    return 1;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    for (const p of err.problems) {
      process.stderr.write(`${p.file}:${p.line}:${p.col} ${p.severity}: ${p.message}\n`);
    }
    return err.exitCode;
  }
  if (err instanceof Org2OrgError) {
    process.stderr.write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  const detail = err instanceof Error ? err.message : String(err);
  process.stderr.write(`org2org: internal error: ${detail}\nThis is a bug; please report it (run with ORG2ORG_DEBUG=1 for details).\n`);
  if (process.env.ORG2ORG_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return 70;
}

const invokedDirectly = process.argv[1] !== undefined && /(?:cli[\\/]main\.ts|bin[\\/]org2org(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = reportError(err);
    },
  );
}
