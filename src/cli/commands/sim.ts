/**
 * `org2org sim`: start the embedded Okta simulator (one loopback origin per org) and serve until
 * SIGINT/SIGTERM. With `--json`, the first stdout line says where the orgs are and which env
 * makes the root org2org.config.yaml point at them.
 */
import { fileURLToPath } from 'node:url';
import { Org2OrgError, UsageError } from '../../errors.js';
import { parseFaultSpec, SeedError, startSim, type SimOptions } from '../../sim/index.js';

export const DEFAULT_SEED = fileURLToPath(new URL('../../../examples/sim/seed.yaml', import.meta.url));

const HELP = `Usage: org2org sim [options]

Runs Hub and Spoke Okta orgs on 127.0.0.1 (one port per org) until Ctrl-C.

Options:
  --seed FILE               seed file (default: examples/sim/seed.yaml)
  --json                    print one JSON line {"orgs":{...},"env":{...}} first
  --latency MS              fixed latency per request
  --jitter MS               random extra latency, 0..MS
  --time-scale X            rate-limit clock speed (60: a one-minute window lasts 1 s)
  --concurrency N           requests in flight per org before 429 (default 75)
  --provisioning-delay MS   pushed users stay STAGED this long before PROVISIONED
  --faults SPEC             e.g. "503@0.05,reset@0.01:GET /api/v1/apps/*,slow=2000@0.1"
  --rng-seed N              seed of the fault/latency random numbers (default 1)
`;

export interface SimArgs {
  seed: string;
  json: boolean;
  options: SimOptions;
}

function numberFlag(flag: string, value: string | undefined, min = 0): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`${flag} needs a number${min > 0 ? ` ≥ ${min}` : ' ≥ 0'} (got ${value === undefined ? 'nothing' : `"${value}"`}).`);
  }
  return n;
}

export function parseSimArgs(argv: string[]): SimArgs | 'help' {
  const args: SimArgs = { seed: DEFAULT_SEED, json: false, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--json':
        args.json = true;
        break;
      case '--seed': {
        const v = value();
        if (!v) throw new UsageError('--seed needs a file path.');
        args.seed = v;
        break;
      }
      case '--latency':
        args.options.latencyMs = numberFlag(flag, value());
        break;
      case '--jitter':
        args.options.jitterMs = numberFlag(flag, value());
        break;
      case '--time-scale':
        args.options.timeScale = numberFlag(flag, value(), Number.MIN_VALUE);
        break;
      case '--concurrency':
        args.options.concurrencyLimit = numberFlag(flag, value(), 1);
        break;
      case '--provisioning-delay':
        args.options.provisioningDelayMs = numberFlag(flag, value());
        break;
      case '--rng-seed':
        args.options.rngSeed = numberFlag(flag, value());
        break;
      case '--faults': {
        const v = value();
        if (!v) throw new UsageError('--faults needs a spec, e.g. "503@0.05".');
        try {
          args.options.faults = parseFaultSpec(v);
        } catch (err) {
          throw new UsageError(`--faults: ${(err as Error).message}`);
        }
        break;
      }
      default:
        throw new UsageError(`unknown option "${arg}" for \`org2org sim\`. Run \`org2org sim --help\`.`);
    }
  }
  return args;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseSimArgs(argv);
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let sim;
  try {
    sim = await startSim(args.seed, args.options);
  } catch (err) {
    if (err instanceof SeedError) throw new Org2OrgError(err.message);
    throw err;
  }
  if (args.json) {
    process.stdout.write(JSON.stringify({ orgs: sim.orgs, env: sim.env }) + '\n');
  } else {
    const width = Math.max(...Object.keys(sim.orgs).map((n) => n.length));
    process.stdout.write('Okta simulator running (Ctrl-C to stop):\n');
    for (const [name, org] of Object.entries(sim.orgs)) process.stdout.write(`  ${name.padEnd(width)}  ${org.url}\n`);
    process.stdout.write('\nEnvironment for org2org.config.yaml:\n');
    for (const [k, v] of Object.entries(sim.env)) process.stdout.write(`export ${k}='${v}'\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  return 0;
}
