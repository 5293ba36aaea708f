/**
 * `--snapshot FILE [--refresh full|changes]`, shared by the commands that read the orgs to plan
 * (`plan`, `drift`): the flags, their help, reading the snapshot file, the read through it
 * (src/state/incremental.ts) and what is said about it on stderr. The snapshot is a cache: a
 * missing or unusable one costs one full read, said why, never a wrong plan.
 */
import { existsSync } from 'node:fs';
import type { DesiredState } from '../config/types.js';
import { Org2OrgError, UsageError } from '../errors.js';
import { inert } from '../inert.js';
import { parseSnapshot, readWithSnapshot, type IncrementalResult, type Snapshot } from '../state/incremental.js';
import type { LiveClients, ReadOptions } from '../state/read-live-state.js';
import type { LiveState } from '../state/types.js';
import type { ParsedArgs } from './args.js';
import { checkOutputFile, readRegularFile, writeOutputFile } from './files.js';

export const SNAPSHOT_FLAGS = {
  snapshot: { type: 'string' },
  refresh: { type: 'string' },
} as const;

export const SNAPSHOT_HELP = `      --snapshot FILE        keep what this read saw in FILE (per org: objects with their
                             fingerprints, where each org's System Log stood; no secret), for
                             the next run's --refresh changes (a path CI caches between runs)
      --refresh MODE         full (default): read every org; changes: read again only what each
                             org's System Log shows changed since the --snapshot (object by
                             object, or the org whole), reuse the rest, and read in full (saying
                             why on stderr) whenever that can't be proven complete. Needs a
                             token that may read the System Log.`;

export interface SnapshotArgs {
  snapshot?: string;
  refresh: 'full' | 'changes';
}

export function snapshotArgsOf(parsed: ParsedArgs): SnapshotArgs {
  const refresh = parsed.choice('refresh', ['full', 'changes'], 'full');
  const snapshot = parsed.string('snapshot');
  if (refresh === 'changes' && snapshot === undefined)
    throw new UsageError('--refresh changes needs --snapshot FILE: the snapshot is what an incremental read starts from.');
  return { refresh, ...(snapshot !== undefined ? { snapshot } : {}) };
}

const SNAPSHOT = 'the snapshot (--snapshot)';
/** A snapshot of a 50,000-user org is tens of MB; this bounds what a corrupt path can make us read. */
const SNAPSHOT_MAX_BYTES = 1024 * 1024 * 1024;

/** The snapshot in FILE, or why it can't be used (then the read is full); none yet when FILE doesn't exist. */
export function readSnapshotFile(file: string): Snapshot | { problem: string } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseSnapshot(readRegularFile(file, SNAPSHOT, SNAPSHOT_MAX_BYTES).toString('utf8'));
  } catch (err) {
    if (err instanceof Org2OrgError) return { problem: err.message };
    throw err;
  }
}

export function writeSnapshotFile(file: string, text: string, inputs: readonly string[]): void {
  writeOutputFile(file, text, { what: SNAPSHOT, inputs });
}

/**
 * The read through the snapshot, for planLive's `read` (undefined without --snapshot: the usual
 * full read). Where the snapshot goes is checked now, before any org is read; the result is kept
 * in `holder` for {@link reportSnapshot}.
 */
export function snapshotReader(
  args: SnapshotArgs,
  desired: DesiredState,
  clients: LiveClients,
  inputs: readonly string[],
  holder: { result?: IncrementalResult },
): ((onEvent: NonNullable<ReadOptions['onEvent']>) => Promise<LiveState>) | undefined {
  const file = args.snapshot;
  if (file === undefined) return undefined;
  checkOutputFile(file, { what: SNAPSHOT, inputs });
  return async (onEvent) => {
    const previous = args.refresh === 'changes' ? readSnapshotFile(file) : undefined;
    holder.result = await readWithSnapshot(desired, clients, previous, { onEvent });
    return holder.result.live;
  };
}

/** Says on stderr how the orgs were read, and keeps the snapshot for the next run. */
export function reportSnapshot(err: (text: string) => void, args: SnapshotArgs, r: IncrementalResult, inputs: readonly string[]): void {
  const names = (list: string[]): string => (list.length > 0 ? list.join(', ') : 'none');
  if (args.refresh === 'changes') {
    if (r.fallback !== undefined) err(`refresh: read in full: ${inert(r.fallback)}\n`);
    else {
      const patched = r.patched.length > 0 ? `; brought up to date object by object: ${names(r.patched)}` : '';
      err(`refresh: read again: ${names(r.read)}${patched}; unchanged since the snapshot: ${names(r.reused)}\n`);
    }
  }
  if (r.snapshotText !== undefined) writeSnapshotFile(args.snapshot!, r.snapshotText, inputs);
  else err(`refresh: no snapshot written (the next --refresh changes reads in full): ${inert(r.noSnapshot ?? '')}\n`);
}
