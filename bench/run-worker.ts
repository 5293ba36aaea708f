/**
 * Runs bench/worker.ts in a child process (its own heap, so its peak RSS is org2org's alone)
 * and returns its one-line JSON answer. The child's stderr is kept for the error message only.
 *
 * By default the worker runs the JavaScript tsc compiles (src and the worker, built once per
 * bench into node_modules/.cache/org2org-bench), which is what the installed package runs
 * (dist/). `runtime: 'tsx'` runs the sources through tsx instead, as `bin/org2org.js` does in a
 * clone: tsx's loader thread and its compiled modules cost about 30 MB of RSS more.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Job, WorkerResult } from './worker.js';

const SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));
const BUILD = new URL('../node_modules/.cache/org2org-bench/', import.meta.url);
const COMPILED = fileURLToPath(new URL('bench/worker.js', BUILD));
const TSCONFIG = fileURLToPath(new URL('./tsconfig.worker.json', import.meta.url));

export type Runtime = 'compiled' | 'tsx';

/** Compiles the worker and src (once per bench run) for the 'compiled' runtime. */
export function buildWorker(): void {
  rmSync(fileURLToPath(BUILD), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', TSCONFIG], { stdio: ['ignore', 'inherit', 'inherit'] });
  // Beside the compiled src, as in the package: what src reads from the package's root.
  copyFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), fileURLToPath(new URL('package.json', BUILD)));
  symlinkSync(fileURLToPath(new URL('../schemas', import.meta.url)), fileURLToPath(new URL('schemas', BUILD)));
}

/** `nodeArgs`: flags for Node itself (`--cpu-prof`, which NODE_OPTIONS refuses). */
export function runWorker(
  job: Job,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  runtime: Runtime = 'compiled',
): Promise<WorkerResult> {
  const entry = runtime === 'tsx' ? ['--import', 'tsx', SOURCE] : [COMPILED];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...entry, JSON.stringify(job)], {
      env: { ...process.env, ...env, NO_COLOR: '1', ORG2ORG_DEBUG: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) {
        resolve(JSON.parse(line) as WorkerResult);
      } else {
        reject(new Error(`bench worker (${job.mode}) exited with ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      }
    });
  });
}
