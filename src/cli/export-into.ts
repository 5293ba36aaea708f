/**
 * `org2org export --into FILE [--spoke NAME]…`: accept what the console changed into the config
 * file, in place. The file is planned against the live orgs as `plan` does; each change is
 * turned back into an edit of the file (src/export/merge-into.ts) and nothing else is touched.
 * The edited file is then planned again against the same read: what still differs is listed as
 * not merged (and the file is written with the rest), so "No changes" is checked, not hoped for.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { DesiredState } from '../config/types.js';
import { Org2OrgError, type SourceProblem } from '../errors.js';
import { spokeObject } from '../export/build-document.js';
import { type LiveEntry, mergeIntoConfig, type MergeResult } from '../export/merge-into.js';
import { observeSpoke } from '../export/observe-spoke.js';
import { inert } from '../inert.js';
import { addressOf } from '../plan/address.js';
import { createPlan } from '../plan/create-plan.js';
import type { Plan } from '../plan/types.js';
import { counted } from '../render/plan-lines.js';
import type { LiveState } from '../state/types.js';
import { VERSION } from '../version.js';
import { GLOBAL_HELP, PACING_FLAGS, pacingOf, parseCommandArgs, SPOKE_FLAGS } from './args.js';
import { readRegularFile, writeOutputFile } from './files.js';
import { planLive } from './plan-live.js';
import { type Session, startSession, type SessionIo } from './session.js';

export const EXPORT_INTO_HELP = `Usage: org2org export --into FILE [--spoke NAME]… [--check]

Takes what differs in the live orgs into the config FILE, in place: an assignment added in the
console (to an authoritative list) or removed, a push group paused or added, a To App feature
switched, … Only the lines of those objects change: comments, key order, flow or block style,
anchors and \${…} references stay as they are. Secrets are never written. What the file can't
say (an inactive app, the Hub service app's grants, a value behind a shared anchor) is listed
as not merged. The result is planned again against the same read of the orgs.

Options:
      --into FILE            the config to edit (its credentials are used, as by plan)
      --spoke NAME           only this Spoke (repeatable; default: every Spoke)
      --check                write nothing: print what would be merged (exit 2 when something would)

${GLOBAL_HELP}

Exit: 0 the file says what is live (or already did), 1 error, 2 with --check: the file would change,
3 written, but some drift could not be merged (listed on stderr).`;

export async function runExportInto(argv: string[], io: SessionIo = {}): Promise<number> {
  const parsed = parseCommandArgs('export', argv, {
    ...SPOKE_FLAGS,
    ...PACING_FLAGS,
    into: { type: 'string' },
    check: { type: 'boolean' },
  });
  const session = startSession(io, parsed.global);
  if (parsed.global.help) return session.help(EXPORT_INTO_HELP);
  const file = parsed.string('into')!;
  const spokes = parsed.strings('spoke');
  const check = parsed.flag('check');
  const text = readRegularFile(file, 'the config (--into)', 64 * 1024 * 1024).toString('utf8');
  const desired = await session.loadConfig(file, spokes, { applySecretsOptional: true });
  const clients = session.clients(desired, pacingOf(parsed));
  const { plan, live } = await planLive(session, desired, clients);
  if (plan.errored) {
    throw new Org2OrgError(`the plan of ${inert(file)} has errors (run org2org plan to see them); nothing was merged`);
  }
  const result = mergeIntoConfig(text, plan, liveEntries(plan, live, desired));
  const after = await planAgain(result.text, file, session, live, spokes);
  report(session, file, result, after, check);
  if (check) return result.merged.length > 0 ? 2 : 0;
  if (result.text !== text) writeOutputFile(file, result.text, { what: 'the config (--into)' });
  return after.empty ? 0 : 3;
}

/** What each planned Spoke's entry would say if exported now. */
export function liveEntries(plan: Plan, live: LiveState, desired: DesiredState): Record<string, LiveEntry> {
  const out: Record<string, LiveEntry> = {};
  for (const { name } of plan.spokes) {
    const spoke = live.spokes[name];
    const wanted = desired.spokes.find((s) => s.name === name);
    if (!spoke?.app || !wanted) continue;
    const observed = observeSpoke(spoke, { name, url: wanted.url, tokenVar: 'UNUSED', notes: [] });
    const schema = spoke.appUserSchema;
    const configured = wanted.assignments.attributeNames ?? {};
    out[name] = {
      entry: spokeObject(observed),
      names: {
        initialStatus: configured.initialStatus ?? schema?.initialStatus,
        securityQuestion: configured.securityQuestion ?? schema?.securityQuestion,
        securityAnswer: configured.securityAnswer ?? schema?.securityAnswer,
      },
    };
  }
  return out;
}

/** The edited file, loaded by the project's loader and planned against the same read. */
export async function planAgain(text: string, file: string, session: Session, live: LiveState, spokes: string[]): Promise<Plan> {
  const dir = await mkdtemp(join(tmpdir(), 'org2org-merge-'));
  const copy = join(dir, basename(file));
  try {
    await writeFile(copy, text);
    const { desired } = await loadConfig(copy, { env: session.env, requireSecrets: false, spokes });
    const chosen = spokes.length > 0 ? { ...desired, spokes: desired.spokes.filter((s) => spokes.includes(s.name)) } : desired;
    return createPlan(chosen, live, { maxApiCapacity: 0.5, toolVersion: VERSION });
  } catch (err) {
    if (err instanceof Org2OrgError) {
      const problems = (err as { problems?: SourceProblem[] }).problems ?? [];
      const detail = problems.map((p) => `\n  line ${p.line}:${p.col} ${inert(p.message)}`).join('');
      throw new Org2OrgError(
        `the file with the org's changes in it would not be a valid config, so nothing was written (e.g. Profile Sourcing switched on beside To App features, which the config refuses); edit it by hand: ${err.message}${detail}`,
      );
    }
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(session: Session, file: string, result: MergeResult, after: Plan, check: boolean): void {
  const verb = check ? 'would merge' : 'merged';
  for (const address of result.merged) session.out(`${verb}: ${inert(address)}\n`);
  const stillLeft = new Set(after.spokes.flatMap((s) => s.changes.map(addressOf)));
  for (const { address, reason } of result.left) session.err(`not merged: ${inert(address)}: ${inert(reason)}\n`);
  for (const address of stillLeft) {
    if (!result.left.some((l) => l.address === address)) session.err(`still differs after merging: ${inert(address)}\n`);
  }
  const where = check ? inert(file) : `${inert(file)} (written)`;
  session.err(
    `${where}: ${counted(result.merged.length, 'change')} ${verb}; ${after.empty ? 'the file now plans as No changes' : `${counted(stillLeft.size, 'change')} still planned`}\n`,
  );
}
