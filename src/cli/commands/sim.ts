/**
 * `org2org sim`: start the embedded Okta simulator (one loopback origin per org) and serve until
 * SIGINT/SIGTERM. With `--json`, the first stdout line says where the orgs are and which env
 * makes the root org2org.config.yaml point at them.
 */
import { fileURLToPath } from 'node:url';
import { Org2OrgError, UsageError } from '../../errors.js';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
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

${GLOBAL_HELP}
`;

export interface SimArgs {
  seed: string;
  json: boolean;
  options: SimOptions;
}

function numberFlag(flag: string, value: string | undefined, min = 0): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(
      `${flag} needs a number${min > 0 ? ` ≥ ${min}` : ' ≥ 0'} (got ${value === undefined ? 'nothing' : `"${value}"`}).`,
    );
  }
  return n;
}

export function parseSimArgs(argv: string[]): SimArgs | 'help' {
  const parsed = parseCommandArgs('sim', argv, {
    seed: { type: 'string' },
    json: { type: 'boolean' },
    latency: { type: 'string' },
    jitter: { type: 'string' },
    'time-scale': { type: 'string' },
    concurrency: { type: 'string' },
    'provisioning-delay': { type: 'string' },
    'rng-seed': { type: 'string' },
    faults: { type: 'string' },
  });
  if (parsed.global.help) return 'help';
  const args: SimArgs = { seed: DEFAULT_SEED, json: parsed.flag('json'), options: {} };
  const seed = parsed.string('seed');
  if (seed !== undefined) {
    if (!seed) throw new UsageError('--seed needs a file path.');
    args.seed = seed;
  }
  const number = (flag: string, min?: number): number | undefined => {
    const v = parsed.string(flag);
    return v === undefined ? undefined : numberFlag(`--${flag}`, v, min);
  };
  const set = <K extends keyof SimOptions>(key: K, value: SimOptions[K] | undefined): void => {
    if (value !== undefined) args.options[key] = value;
  };
  set('latencyMs', number('latency'));
  set('jitterMs', number('jitter'));
  set('timeScale', number('time-scale', Number.MIN_VALUE));
  set('concurrencyLimit', number('concurrency', 1));
  set('provisioningDelayMs', number('provisioning-delay'));
  set('rngSeed', number('rng-seed'));
  const faults = parsed.string('faults');
  if (faults !== undefined) {
    if (!faults) throw new UsageError('--faults needs a spec, e.g. "503@0.05".');
    try {
      args.options.faults = parseFaultSpec(faults);
    } catch (err) {
      throw new UsageError(`--faults: ${(err as Error).message}`);
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
