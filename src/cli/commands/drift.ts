/**
 * `org2org drift`: a scheduled run's plan, sorted by each change's drift policy (the config's
 * `drift`, per Spoke or per list): `report` changes fail the run, `propose` changes are merged
 * into the config in place (`--propose`, the edit `export --into` makes) with a pull-request
 * body naming who made each change and when (the System Log, where the token may read it), and
 * `revert` changes become a saved plan (`--revert-plan`) that `org2org apply` runs under the usual
 * guards. The revert plan is made from the config with every other drift accepted (written beside
 * it), so it holds exactly the revert changes and apply's stale check compares it as any plan.
 */
import type { DesiredSpoke } from '../../config/types.js';
import { loadConfig } from '../../config/load.js';
import { mergeIntoConfig } from '../../export/merge-into.js';
import { inert } from '../../inert.js';
import { addressOf } from '../../plan/address.js';
import { createPlan, toPlanFile } from '../../plan/create-plan.js';
import { driftPolicyOf, targetIdOf } from '../../plan/drift-policy.js';
import type { Change, Plan } from '../../plan/types.js';
import { renderDriftPrBody } from '../../render/drift-pr.js';
import { renderPlanJson } from '../../render/json.js';
import { renderPlanText } from '../../render/text.js';
import { type ChangeHistory, readChangeHistory } from '../../state/read-system-log.js';
import type { LiveState } from '../../state/types.js';
import { VERSION } from '../../version.js';
import { ALLOWANCE_FLAGS, ALLOWANCE_HELP, allowancesOf } from '../allowances.js';
import { GLOBAL_HELP, PACING_FLAGS, pacingOf, parseCommandArgs, SPOKE_FLAGS } from '../args.js';
import { liveEntries } from '../export-into.js';
import { readRegularFile, writeOutputFile } from '../files.js';
import { planLive } from '../plan-live.js';
import { startSession, type SessionIo } from '../session.js';
import { reportSnapshot, SNAPSHOT_FLAGS, SNAPSHOT_HELP, snapshotArgsOf, snapshotReader } from '../snapshot.js';
import type { IncrementalResult } from '../../state/incremental.js';

const HELP = `Usage: org2org drift [-c FILE] [--spoke NAME]… [--propose] [--pr-body FILE] [--revert-plan FILE]
                     [--snapshot FILE [--refresh full|changes]] [--max-removals N] [--allow-…]

Plans the config against the live orgs (as a scheduled run does) and sorts each difference by
its drift policy (\`drift:\` on a Spoke, or on its \`assignments\` / \`pushGroups\`; default report):
  report    listed; the run fails (exit 2)
  propose   --propose edits FILE in place to say what is live (as export --into does), for a
            pull request; --pr-body writes its description (who changed what, and when, from
            the System Log when the token may read it)
  revert    --revert-plan writes a saved plan of exactly these changes, for \`org2org apply FILE\`,
            which refuses it as any plan when a guard is not allowed (--max-removals …)

Options:
      --spoke NAME           only this Spoke (repeatable; default: every Spoke)
      --propose              merge the propose changes into the config file
      --pr-body FILE         write the pull request's description (Markdown), drift or not
      --revert-plan FILE     write the revert plan (only when there is something to revert); its
                             config (the file with the other drift accepted) goes to FILE.config.yaml
${SNAPSHOT_HELP}
${ALLOWANCE_HELP}

${GLOBAL_HELP}

Exit: 0 no drift, or only drift the policies handle (propose, revert); 2 drift to report; 1 error.`;

interface Sorted {
  change: Change;
  spoke: string;
  address: string;
  policy: 'report' | 'propose' | 'revert';
  from: string;
}

export async function runDrift(argv: string[], io: SessionIo = {}): Promise<number> {
  const parsed = parseCommandArgs('drift', argv, {
    ...SPOKE_FLAGS,
    ...PACING_FLAGS,
    ...ALLOWANCE_FLAGS,
    propose: { type: 'boolean' },
    'pr-body': { type: 'string' },
    'revert-plan': { type: 'string' },
    ...SNAPSHOT_FLAGS,
  });
  const session = startSession(io, parsed.global);
  if (parsed.global.help) return session.help(HELP);
  const file = parsed.global.config;
  const spokes = parsed.strings('spoke');
  const { allowances } = allowancesOf(parsed);
  const propose = parsed.flag('propose');
  const prBody = parsed.string('pr-body');
  const revertPlan = parsed.string('revert-plan');
  const snapshotArgs = snapshotArgsOf(parsed);
  const text = readRegularFile(file, 'the config', 64 * 1024 * 1024).toString('utf8');
  const desired = await session.loadConfig(file, spokes, { applySecretsOptional: true });
  const clients = session.clients(desired, pacingOf(parsed));
  // A scheduled drift check is the run that pays a full read for nothing most days: the snapshot spares it.
  const snapshotRead: { result?: IncrementalResult } = {};
  const read = snapshotReader(snapshotArgs, desired, clients, [desired.file], snapshotRead);
  const { plan, live } = await planLive(session, desired, clients, { allowances, now: io.now, ...(read ? { read } : {}) });
  if (snapshotRead.result) reportSnapshot(session.err, snapshotArgs, snapshotRead.result, [desired.file]);
  session.out(renderPlanText(plan, { color: session.color }));
  if (plan.errored) {
    session.err('error: the plan has errors (listed above): no drift is proposed or reverted.\n');
    return 1;
  }
  const byName = new Map<string, DesiredSpoke>(desired.spokes.map((s) => [s.name, s]));
  const sorted: Sorted[] = plan.spokes.flatMap((s) =>
    s.changes.map((change) => ({ change, spoke: s.name, address: addressOf(change), ...driftPolicyOf(byName.get(s.name), change) })),
  );
  for (const s of sorted) session.out(`drift: ${s.policy.padEnd(7)} ${inert(s.address)} (${s.from})\n`);

  // Who and when, for what a person will read about: the log is read only when there is drift to show.
  const now = (io.now ?? (() => new Date()))();
  const histories = new Map<string, ChangeHistory>();
  const shown = sorted.filter((s) => s.policy !== 'revert');
  for (const name of new Set(shown.map((s) => s.spoke))) {
    const client = clients.spokes[name];
    const ids = shown.filter((s) => s.spoke === name).flatMap((s) => targetIdOf(s.change) ?? []);
    if (client && ids.length > 0) histories.set(name, await readChangeHistory(client, ids, now));
  }

  const proposed = sorted.filter((s) => s.policy === 'propose');
  let left: { address: string; reason: string }[] = [];
  if (propose && proposed.length > 0) {
    const result = mergeIntoConfig(text, only(plan, proposed), liveEntries(plan, live, desired));
    left = result.left;
    for (const l of left) session.err(`not merged: ${inert(l.address)}: ${inert(l.reason)}\n`);
    if (result.text !== text) writeOutputFile(file, result.text, { what: 'the config (--propose)' });
    session.err(`${inert(file)}: ${result.merged.length} of ${proposed.length} proposed changes merged\n`);
  }
  if (prBody !== undefined)
    writeOutputFile(prBody, renderDriftPrBody(file, proposed, left, histories), { what: 'the pull request body (--pr-body)' });

  const reverted = sorted.filter((s) => s.policy === 'revert');
  if (revertPlan !== undefined && reverted.length > 0) {
    await writeRevertPlan(revertPlan, text, file, plan, live, desired, reverted, spokes, session.env, allowances);
    session.err(
      `Saved the revert plan (${reverted.length} changes) to ${inert(revertPlan)}; apply it with: org2org apply ${inert(revertPlan)}\n`,
    );
  }
  return sorted.some((s) => s.policy === 'report') ? 2 : 0;
}

/** The plan with only the given changes (a merge takes exactly these). */
function only(plan: Plan, chosen: Sorted[]): Plan {
  const keep = new Set(chosen.map((s) => s.change));
  return { ...plan, spokes: plan.spokes.map((s) => ({ ...s, changes: s.changes.filter((c) => keep.has(c)) })) };
}

/**
 * The saved plan of the revert changes: the config with every other drift accepted (so that plan
 * has only these) is written beside the plan, and the plan names it, so `apply` re-plans from it.
 */
async function writeRevertPlan(
  out: string,
  text: string,
  file: string,
  plan: Plan,
  live: LiveState,
  desired: Parameters<typeof liveEntries>[2],
  reverted: Sorted[],
  spokes: string[],
  env: Record<string, string | undefined>,
  allowances: Plan['allowances'],
): Promise<void> {
  const keep = new Set(reverted.map((s) => s.change));
  const others = { ...plan, spokes: plan.spokes.map((s) => ({ ...s, changes: s.changes.filter((c) => !keep.has(c)) })) };
  const accepted = mergeIntoConfig(text, others, liveEntries(plan, live, desired)).text;
  const configFile = `${out}.config.yaml`;
  writeOutputFile(configFile, accepted, { what: 'the revert plan config', inputs: [file] });
  const loaded = await loadConfig(configFile, { env, requireSecrets: false, spokes, applySecretsOptional: true });
  const chosen =
    spokes.length > 0 ? { ...loaded.desired, spokes: loaded.desired.spokes.filter((s) => spokes.includes(s.name)) } : loaded.desired;
  const revert = createPlan(chosen, live, { maxApiCapacity: 0.5, toolVersion: VERSION, allowances });
  revert.createdAt = plan.createdAt;
  if (plan.git) revert.git = plan.git;
  writeOutputFile(out, renderPlanJson(toPlanFile(revert, live)), { what: 'the revert plan (--revert-plan)', inputs: [file] });
}

/** The entry point main.ts calls. */
export { runDrift as run };
