/**
 * `org2org check`: "Test API Credentials" for every org at once. Loads the config (secrets
 * required), checks each org's credential, roles, apps-bucket headroom, Org2Org app and
 * provisioning connection, then prints a table (or JSON). Exit 1, with one line per failing org.
 */
import { inert } from '../../inert.js';
import { formatCount } from '../../render/plan-lines.js';
import { GLOBAL_HELP, pacingOf, parseCommandArgs, SPOKE_FLAGS } from '../args.js';
import { checkOrgs, DEFAULT_TOKEN_EXPIRY_DAYS, type OrgCheck } from '../../check/check-orgs.js';
import { UsageError } from '../../errors.js';
import { githubAnnotation, underGitHubActions } from '../annotations.js';
import { startSession, type SessionIo } from '../session.js';

export type CheckIo = SessionIo;

const HELP = `Usage: org2org check [-c FILE] [--spoke NAME]… [--format table|json] [--max-api-capacity SHARE] [--token-expiry-days N]

Tests every org's API credentials and each Spoke's provisioning connection, like the console's
"Test API Credentials": who each token belongs to and its admin roles, the apps rate-limit bucket's
headroom, whether each Spoke's Org2Org app exists and points at the Hub, and whether the
provisioning token is valid in the Hub and belongs to a Super Administrator. For each API token
(org2org's own and each provisioning token) it shows the owner and expiry Okta lists, or says the
token may not read them, and warns when the token expires soon.

Options:
      --spoke NAME           check only this Spoke (and the Hub); repeatable; only their
                             variables are read, the others need not be set
      --format table|json    output format (default: table)
      --max-api-capacity N   share of each rate-limit bucket to use, 0–1 or a percentage (default: 50%)
      --token-expiry-days N  warn about an API token that expires within N days (default: ${DEFAULT_TOKEN_EXPIRY_DAYS});
                             a warning doesn't fail the check

${GLOBAL_HELP}

Exit: 0 every org passes (warnings included), 1 one or more fail (one line per failing org on stderr;
under GitHub Actions an ::error annotation per problem, and a ::warning per warning), 130 interrupted (Ctrl-C).`;

export async function runCheck(argv: string[], io: CheckIo = {}): Promise<number> {
  const parsed = parseCommandArgs('check', argv, {
    ...SPOKE_FLAGS,
    format: { type: 'string' },
    'max-api-capacity': { type: 'string' },
    'token-expiry-days': { type: 'string' },
  });
  const session = startSession(io, parsed.global);
  if (parsed.global.help) return session.help(HELP);
  const format = parsed.choice('format', ['table', 'json'], 'table');
  const { maxApiCapacity } = pacingOf(parsed);
  const daysText = parsed.string('token-expiry-days');
  const tokenExpiryDays = daysText === undefined ? DEFAULT_TOKEN_EXPIRY_DAYS : Number(daysText);
  if (daysText !== undefined && !(/^\d+$/.test(daysText.trim()) && tokenExpiryDays <= 3650))
    throw new UsageError(`--token-expiry-days takes a whole number of days from 0 to 3650, not "${daysText}".`);
  const desired = await session.loadConfig(parsed.global.config, parsed.strings('spoke'));
  const results = await checkOrgs(desired, {
    maxApiCapacity,
    debug: session.debug,
    onEvent: io.onEvent,
    createClient: io.createClient,
    signal: session.signal,
    tokenExpiryDays,
  });
  session.throwIfInterrupted('the check did not finish.');
  const ok = results.every((r) => r.ok);
  if (format === 'json') session.out(JSON.stringify({ formatVersion: 1, ok, orgs: results }, null, 2) + '\n');
  else session.out(renderCheckTable(results));
  // Under GitHub Actions (a scheduled check), failures and warnings are annotations: the run's summary shows them.
  const actions = underGitHubActions(session.env);
  for (const r of results) {
    if (r.ok) continue;
    if (actions) for (const p of r.problems) session.err(`${githubAnnotation({ severity: 'error', message: `${r.org}: ${p}` })}\n`);
    else session.err(`check failed: ${inert(r.org)}: ${r.problems.map((p) => inert(p)).join('; ')}\n`);
  }
  for (const r of results)
    for (const w of r.warnings)
      session.err(
        actions
          ? `${githubAnnotation({ severity: 'warning', message: `${r.org}: ${w}` })}\n`
          : `check warning: ${inert(r.org)}: ${inert(w)}\n`,
      );
  return ok ? 0 : 1;
}

/** Widest output the table may take; wider, each org is a block of labelled lines instead. */
export const CHECK_TABLE_WIDTH = 100;

/** The table people read: one row per org, then its problems and notes (a list when the table is too wide). */
export function renderCheckTable(results: OrgCheck[], maxWidth = CHECK_TABLE_WIDTH): string {
  const header = ['ORG', 'CREDENTIAL', 'ROLES', 'APPS BUCKET', 'ORG2ORG APP', 'CONNECTION', 'RESULT'];
  const rows = results.map((r) =>
    [
      r.org,
      r.credential?.identity ?? '-',
      r.credential?.roles ? r.credential.roles.join(',') || 'none' : r.credential?.scopes ? r.credential.scopes.join(' ') : '-',
      r.headroom ? `${formatCount(r.headroom.remaining)}/${formatCount(r.headroom.limit)} left` : '-',
      r.kind === 'hub'
        ? '(hub)'
        : !r.app
          ? '-'
          : !r.app.found
            ? 'not found'
            : r.app.baseUrlMatchesHub
              ? 'ok, points at hub'
              : 'WRONG base URL',
      connectionCell(r),
      r.ok ? (r.warnings.length ? 'ok (see warnings)' : r.notes.length ? 'ok (see notes)' : 'ok') : 'FAIL',
    ].map((cell) => inert(cell)),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const table = [line(header), ...rows.map(line)];
  if (table.every((l) => l.length <= maxWidth)) {
    for (const r of results) {
      for (const p of r.problems) table.push(`  ${inert(r.org)}: error: ${inert(p)}`);
      for (const w of r.warnings) table.push(`  ${inert(r.org)}: warning: ${inert(w)}`);
      for (const n of r.notes) table.push(`  ${inert(r.org)}: note: ${inert(n)}`);
      for (const t of tokenLines(r)) table.push(`  ${inert(r.org)}: ${t.label}: ${inert(t.text)}`);
    }
    return table.join('\n') + '\n';
  }
  // Too wide for a terminal or a CI log: one block per org, a cell per line.
  const labels = header.slice(1).map((h) => h.toLowerCase());
  const labelWidth = Math.max(...labels.map((l) => l.length)) + 1;
  const blocks = results.map((r, i) => {
    const row = rows[i]!;
    const lines = [`${row[0]}  ${row[row.length - 1]}`];
    labels.slice(0, -1).forEach((label, j) => lines.push(...wrapped(`  ${`${label}:`.padEnd(labelWidth)} `, row[j + 1]!, maxWidth)));
    for (const p of r.problems) lines.push(...wrapped('  error: ', inert(p), maxWidth));
    for (const w of r.warnings) lines.push(...wrapped('  warning: ', inert(w), maxWidth));
    for (const n of r.notes) lines.push(...wrapped('  note: ', inert(n), maxWidth));
    for (const t of tokenLines(r)) lines.push(...wrapped(`  ${t.label}: `, inert(t.text), maxWidth));
    return lines.join('\n');
  });
  return blocks.join('\n\n') + '\n';
}

/** `prefix` and `text` word-wrapped to `width`, continuation lines indented under the text. */
function wrapped(prefix: string, text: string, width: number): string[] {
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const lead = lines.length === 0 ? prefix : indent;
    if (current !== '' && lead.length + current.length + 1 + word.length > width) {
      lines.push(lead + current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  lines.push((lines.length === 0 ? prefix : indent) + current);
  return lines;
}

/** One line per API token the org's checks used: org2org's own credential, then the provisioning token. */
function tokenLines(r: OrgCheck): { label: string; text: string }[] {
  const lines: { label: string; text: string }[] = [];
  if (r.credential?.apiToken) lines.push({ label: 'api token', text: r.credential.apiToken.summary });
  if (r.connection?.apiToken) lines.push({ label: 'provisioning token', text: r.connection.apiToken.summary });
  return lines;
}

function connectionCell(r: OrgCheck): string {
  const c = r.connection;
  if (!c) return '-';
  const live = c.liveStatus ? ` (${c.liveAuthScheme ?? '?'} ${c.liveStatus})` : '';
  if (c.authScheme === 'TOKEN') {
    if (!c.tokenOwner) return `TOKEN: untested${live}`;
    return `TOKEN: ${c.tokenOwner} ${c.tokenRoles?.includes('SUPER_ADMIN') ? 'super admin' : 'NOT super admin'}${live}`;
  }
  if (!c.serviceApp) return `OAUTH2${live}`;
  const app = c.serviceApp;
  if (!app.found) return `OAUTH2: service app ${app.clientId ?? ''} not found${live}`;
  return `OAUTH2: service app ${app.clientId ?? ''} ${app.status ?? ''}, scopes ${app.scopes?.join(' ') || 'none'}, roles ${app.roles?.join(' ') || 'none'}${live}`;
}

/** The entry point main.ts calls. */
export { runCheck as run };
