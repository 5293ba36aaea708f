/**
 * Runs bench/worker.ts in a child process (its own heap, so its peak RSS is org2org's alone)
 * and returns its one-line JSON answer. The child's stderr is kept for the error message only.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, WorkerResult } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** `nodeArgs`: flags for Node itself (`--cpu-prof`, which NODE_OPTIONS refuses). */
export function runWorker(job: Job, env: Record<string, string>, nodeArgs: string[] = []): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', WORKER, JSON.stringify(job)], {
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
