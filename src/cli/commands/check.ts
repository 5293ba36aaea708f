/**
 * `org2org check`: "Test API Credentials" for every org at once. Loads the config (secrets
 * required), checks each org's credential, roles, apps-bucket headroom, Org2Org app and
 * provisioning connection, then prints a table (or JSON). Exit 1, with one line per failing org.
 */
import { debugRequested, GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { checkOrgs, type OrgCheck } from '../../state/check-orgs.js';
import type { ClientEvent } from '../../okta/types.js';
import { commandIo, parseCapacity, selectSpokes, type LoadConfig } from '../shared.js';

export interface CheckIo {
  env?: Record<string, string | undefined>;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Config loader (tests); defaults to src/config/load.ts. */
  loadConfig?: LoadConfig;
  onEvent?: (event: ClientEvent) => void;
}

const HELP = `Usage: org2org check [-c FILE] [--spoke NAME]… [--format table|json] [--max-api-capacity SHARE]

Tests every org's API credentials and each Spoke's provisioning connection, like the console's
"Test API Credentials": who each token belongs to and its admin roles, the apps rate-limit bucket's
headroom, whether each Spoke's Org2Org app exists and points at the Hub, and whether the
provisioning token is valid in the Hub and belongs to a Super Administrator.

Options:
      --spoke NAME           check only this Spoke (and the Hub); repeatable; only their
                             variables are read, the others need not be set
      --format table|json    output format (default: table)
      --max-api-capacity N   share of each rate-limit bucket to use, 0–1 or a percentage (default: 50%)

${GLOBAL_HELP}

Exit: 0 every org passes, 1 one or more fail (one line per failing org on stderr).`;

export async function run(argv: string[]): Promise<number> {
  return runCheck(argv);
}

export async function runCheck(argv: string[], io: CheckIo = {}): Promise<number> {
  const { out, err, env } = commandIo(io);
  const parsed = parseCommandArgs('check', argv, {
    spoke: { type: 'string', multiple: true },
    format: { type: 'string' },
    'max-api-capacity': { type: 'string' },
  });
  if (parsed.global.help) {
    out(HELP + '\n');
    return 0;
  }
  const format = parsed.string('format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json (got "${format}").`);
  const capacityText = parsed.string('max-api-capacity');
  const capacity = capacityText !== undefined ? parseCapacity(capacityText) : undefined;

  const load = io.loadConfig ?? loadConfig;
  const spokes = parsed.strings('spoke');
  const { desired, warnings } = await load(parsed.global.config, { env, requireSecrets: true, spokes });
  for (const w of warnings) err(`${w.file}:${w.line}:${w.col} ${w.severity}: ${w.message}\n`);
  const target = selectSpokes(desired, spokes);

  const results = await checkOrgs(target, {
    ...(capacity !== undefined ? { maxApiCapacity: capacity } : {}),
    ...(debugRequested(parsed.global, env) ? { debug: true } : {}),
    ...(io.onEvent ? { onEvent: io.onEvent } : {}),
  });
  const ok = results.every((r) => r.ok);
  if (format === 'json') out(JSON.stringify({ formatVersion: 1, ok, orgs: results }, null, 2) + '\n');
  else out(renderCheckTable(results));
  for (const r of results) if (!r.ok) err(`check failed: ${r.org}: ${r.problems.join('; ')}\n`);
  return ok ? 0 : 1;
}

/** The table people read: one row per org, then its problems and notes. */
export function renderCheckTable(results: OrgCheck[]): string {
  const header = ['ORG', 'CREDENTIAL', 'ROLES', 'APPS BUCKET', 'ORG2ORG APP', 'CONNECTION', 'RESULT'];
  const rows = results.map((r) => [
    r.org,
    r.credential?.identity ?? '-',
    r.credential?.roles ? r.credential.roles.join(',') || 'none' : r.credential?.scopes ? r.credential.scopes.join(' ') : '-',
    r.headroom ? `${r.headroom.remaining}/${r.headroom.limit} left` : '-',
    r.kind === 'hub' ? '(hub)' : !r.app ? '-' : !r.app.found ? 'not found' : r.app.baseUrlMatchesHub ? 'ok, points at hub' : 'WRONG base URL',
    connectionCell(r),
    r.ok ? (r.notes.length ? 'ok (see notes)' : 'ok') : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [line(header), ...rows.map(line)];
  for (const r of results) {
    for (const p of r.problems) lines.push(`  ${r.org}: error: ${p}`);
    for (const n of r.notes) lines.push(`  ${r.org}: note: ${n}`);
  }
  return lines.join('\n') + '\n';
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
