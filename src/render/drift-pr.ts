/**
 * The description of the pull request a `propose` drift run keeps (org2org drift --pr-body): what
 * the org did, who did it and when (the System Log), and what the file can't say. Markdown, every
 * string from Okta or the config made inert for it.
 */
import { fenceFor, inertBlock, mdCode, mdText } from '../inert.js';
import { targetIdOf } from '../plan/drift-policy.js';
import type { Change } from '../plan/types.js';
import type { ChangeHistory } from '../state/read-system-log.js';

/** A change the run proposes to accept into the file. */
export interface ProposedChange {
  change: Change;
  spoke: string;
  address: string;
}

/** The pull request's description: what the org did, who and when (System Log), what the file can't say. */
export function renderDriftPrBody(
  file: string,
  proposed: ProposedChange[],
  left: { address: string; reason: string }[],
  histories: Map<string, ChangeHistory>,
): string {
  const spokes = [...new Set(proposed.map((s) => s.spoke))];
  const lines = [`<!-- org2org:drift v1 ${mdText(spokes.join(','))} -->`];
  if (proposed.length === 0) {
    lines.push('No drift to propose: the live orgs match the config.');
    return lines.join('\n') + '\n';
  }
  lines.push(
    `## org2org: accept ${proposed.length} console change${proposed.length === 1 ? '' : 's'} into ${mdCode(file)}`,
    '',
    'The live org differs from the config, and its drift policy is `propose`: this pull request edits the file to say what is live. Merge it to keep the changes; to undo them in the org instead, set `drift: revert` (or run `org2org apply`).',
    '',
    '| In the org | Object | Who | When |',
    '|---|---|---|---|',
  );
  for (const s of proposed) {
    const id = targetIdOf(s.change);
    const seen = id ? histories.get(s.spoke)?.byTarget.get(id) : undefined;
    lines.push(
      `| ${liveSide(s.change)} | ${mdCode(s.address)} | ${seen ? mdCode(seen.actor) : '—'} | ${seen ? mdText(seen.published) : '—'} |`,
    );
  }
  const unreadable = [...histories.entries()].filter(([, h]) => h.unreadable);
  for (const [spoke, h] of unreadable) lines.push('', `Who and when: not shown for ${mdCode(spoke)}: ${mdText(h.unreadable)}.`);
  if (left.length > 0) {
    lines.push('', "Not merged (the file can't say it; edit by hand or revert in the org):");
    for (const l of left) lines.push(`- ${mdCode(l.address)}: ${mdText(l.reason)}`);
  }
  const details = proposed.map(
    (s) =>
      `${s.address}\n${s.change.attributes.map((a) => `  ${a.name}: ${JSON.stringify(a.after)} (file) → ${a.sensitive ? '(sensitive)' : JSON.stringify(a.before)} (org)`).join('\n')}`,
  );
  const body = inertBlock(details.join('\n'));
  const fence = fenceFor(body);
  lines.push('', '<details><summary>What the plan showed</summary>', '', fence, body, fence, '', '</details>');
  return lines.join('\n') + '\n';
}

function liveSide(change: Change): string {
  if (change.action === 'delete') return 'added';
  if (change.action === 'create') return 'removed';
  return 'changed';
}
