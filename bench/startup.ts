/**
 * `npm run bench:startup`: how long `org2org --help` takes to start from the installed package,
 * beside `node -e 0` (Node's own start on this machine), `npx org2org --help` in the directory it is
 * installed in (what npm's own start adds on top) and the clone's TypeScript entry (tsx).
 * The package is what `npm pack` builds (compiled dist/), unpacked with this project's
 * node_modules beside it, as `npm install <tarball>` lays it out. Median and fastest of N runs;
 * writes bench/results/startup.json. Target: ≤ 250 ms for the installed `--help`.
 *
 *   npm run bench:startup [-- --runs 15] [--out FILE]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './figures.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, out: { type: 'string', default: 'bench/results/startup.json' } },
});
const runs = Number(args.runs);
const TARGET_MS = 250;

function time(command: string, argv: string[], cwd = root): { medianMs: number; minMs: number; runsMs: number[] } {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(command, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    runsMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  }
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { medianMs: round(median(runsMs)), minMs: round(Math.min(...runsMs)), runsMs: runsMs.map(round) };
}

const work = mkdtempSync(join(tmpdir(), 'org2org-startup-'));
try {
  process.stderr.write('bench: npm pack (builds dist/)…\n');
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as Array<{ filename: string }>;
  const pkg = join(work, 'node_modules', 'org2org');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['xzf', join(work, packed[0]!.filename.split('/').pop()!), '-C', pkg, '--strip-components=1']);
  // Its dependencies: this project's, resolved from the package as an install's would be.
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  // The bin link `npm install` makes, which npx finds before looking anything up.
  mkdirSync(join(work, 'node_modules', '.bin'));
  symlinkSync(join('..', 'org2org', 'bin', 'org2org.js'), join(work, 'node_modules', '.bin', 'org2org'));

  process.stderr.write(`bench: ${runs} runs each…\n`);
  const node = time(process.execPath, ['-e', '0']);
  const installed = time(process.execPath, [join(pkg, 'bin/org2org.js'), '--help']);
  const clone = time(process.execPath, [join(root, 'bin/org2org.js'), '--help']);
  // --no-install: the installed bin or a failure, never a registry lookup.
  const npx = time('npx', ['--no-install', 'org2org', '--help'], work);
  const results = {
    command: 'npm run bench:startup',
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    runs,
    nodeE0: node,
    installedHelp: installed,
    cloneHelpTsx: clone,
    npxHelp: npx,
    target: {
      name: 'org2org --help from the installed package',
      goal: `≤ ${TARGET_MS} ms (median)`,
      measured: installed.medianMs,
      met: installed.medianMs <= TARGET_MS,
    },
  };
  mkdirSync(dirname(resolve(root, args.out!)), { recursive: true });
  writeFileSync(resolve(root, args.out!), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(
    [
      `### org2org startup (${runs} runs, load average ${results.machine.loadAverageAtStart[0]})`,
      '',
      '| command | median | fastest |',
      '|---|---:|---:|',
      `| \`node -e 0\` | ${node.medianMs} ms | ${node.minMs} ms |`,
      `| \`org2org --help\`, installed package (dist/) | ${installed.medianMs} ms | ${installed.minMs} ms |`,
      `| \`npx org2org --help\` where it is installed | ${npx.medianMs} ms | ${npx.minMs} ms |`,
      `| \`node bin/org2org.js --help\` in a clone (tsx) | ${clone.medianMs} ms | ${clone.minMs} ms |`,
      '',
      `Target ≤ ${TARGET_MS} ms for the installed package: ${results.target.met ? 'met' : 'missed'}.`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
