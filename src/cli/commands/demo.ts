/**
 * `org2org demo` (what `npm start` runs): start the embedded simulator from examples/sim/seed.yaml,
 * point the root org2org.config.yaml at it through its ${…} variables, then plan → apply --wait →
 * plan, which ends on "No changes". No credentials, nothing to set up; the same code paths as a
 * real run, over HTTP on loopback.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { startSim } from '../../sim/index.js';
import { DEFAULT_SEED } from './sim.js';
import { runApply } from './apply.js';
import { runPlan } from './plan.js';

const ROOT_CONFIG = fileURLToPath(new URL('../../../org2org.config.yaml', import.meta.url));

const HELP = `Usage: org2org demo [--latency MS] [--provisioning-delay MS]

Starts the embedded Okta simulator (a Hub and two Spokes on 127.0.0.1), points the root
org2org.config.yaml at it and runs plan → apply --wait → plan. Nothing leaves this machine.

Options:
  --latency MS              added to every simulated API call (default 15)
  --provisioning-delay MS   how long pushed users stay STAGED in the Hub (default 800)

${GLOBAL_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('demo', argv, {
    latency: { type: 'string' },
    'provisioning-delay': { type: 'string' },
  });
  const values = {
    help: parsed.global.help,
    latency: parsed.string('latency') ?? '15',
    'provisioning-delay': parsed.string('provisioning-delay') ?? '800',
  };
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const latencyMs = Number(values.latency);
  const provisioningDelayMs = Number(values['provisioning-delay']);
  if (!(latencyMs >= 0) || !(provisioningDelayMs >= 0))
    throw new UsageError('--latency and --provisioning-delay take a number of milliseconds ≥ 0.');

  const say = (text: string): void => void process.stderr.write(text + '\n');
  const sim = await startSim(DEFAULT_SEED, { latencyMs, jitterMs: Math.round(latencyMs / 2), provisioningDelayMs, timeScale: 60 });
  try {
    // The root config reads its URLs and tokens from these variables; they live only in this process.
    for (const [name, value] of Object.entries(sim.env)) process.env[name] = value;
    say(
      `Okta simulator running: ${Object.entries(sim.orgs)
        .map(([name, org]) => `${name} ${org.url}`)
        .join(', ')}`,
    );
    const common = [
      '-c',
      relative(process.cwd(), ROOT_CONFIG) || ROOT_CONFIG,
      ...(parsed.global.noTty ? ['--no-tty'] : []),
      ...(parsed.global.noColor ? ['--no-color'] : []),
      ...(parsed.global.debug ? ['--debug'] : []),
    ];

    banner('1/3  org2org plan — what differs between org2org.config.yaml and the live orgs');
    const first = await runPlan(common);
    if (first === 1) return 1;

    banner('2/3  org2org apply --auto-approve --wait — make it so, then check the users and groups arrived in the Hub');
    const applied = await runApply([...common, '--auto-approve', '--wait', '--wait-timeout', '60s']);
    // Ctrl-C: apply said what was and wasn't made; a plan after it would only be cut off too.
    if (applied === 130) return 130;

    banner('3/3  org2org plan — after the apply');
    const second = await runPlan([...common, '--detailed-exitcode']);
    if (applied === 0 && second === 0) {
      say('\nDone: the live orgs match the config. Next, run the simulator on its own with `npx org2org sim`');
      say(`and point \`org2org plan -c FILE\` at it with the environment it prints (${common[1]} is a config that fits its seed).`);
      return 0;
    }
    say('\nThe demo did not converge: the messages above say why.');
    return 1;
  } finally {
    await sim.close();
  }
}

function banner(title: string): void {
  process.stderr.write(`\n━━ ${title}\n\n`);
}
