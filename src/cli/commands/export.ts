/**
 * `org2org export`: read an existing Org2Org setup (one or more Spokes, optionally the Hub) and
 * write the config that describes it, so adopting org2org starts from "plan: no changes".
 * Read (src/export/read-export, through readLiveState) → build the document (pure) → validate it with the config loader →
 * write it (stdout, or -o FILE which is never overwritten without --force).
 */
import { inert } from '../../inert.js';
import { counted } from '../../render/plan-lines.js';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOBAL_HELP, parseCommandArgs, type ParsedArgs } from '../args.js';
import { startSession, type Session, type SessionIo } from '../session.js';
import type { Env, LoadConfig } from '../shared.js';
import { Org2OrgError, UsageError, type SourceProblem } from '../../errors.js';
import { Secret } from '../../credentials.js';
import { loadConfig } from '../../config/load.js';
import type { OktaClient } from '../../okta/types.js';
import { HUB_PROVISIONING_TOKEN_VAR, HUB_READ_TOKEN_VAR, renderExport, spokeTokenVar } from '../../export/build-document.js';
import { readExportInput, type ExportSource } from '../../export/read-export.js';
import type { ExportInput } from '../../export/types.js';

export type ExportIo = SessionIo;

const HELP = `Usage: org2org export --hub-url URL --spoke NAME=URL [--spoke NAME=URL …] [--label LABEL] [-o FILE] [--force] [--format yaml]

Reads each Spoke's Org2Org app — connection, provisioning features, Profile Sourcing, import
settings, user and group assignments, push mappings — and writes the config that describes it,
so that the first \`org2org plan\` shows no changes. Lists are written as \`mode: authoritative\`.

Credentials come from environment variables, and the file refers to the same names as \${VAR}:
  OKTA_<NAME>_TOKEN              API token of Spoke NAME (upper-case, "-" → "_"), required
  OKTA_HUB_READ_TOKEN            read-only Hub token, optional: gives push targets' names and
                                 whether a Hub group predates its mapping (link: true)
  OKTA_HUB_PROVISIONING_TOKEN    not read: the connection's token is write-only in Okta; the file
                                 refers to it for \`apply\`

Options:
      --hub-url URL          the Hub org's URL
      --spoke NAME=URL       a Spoke to export (repeatable); NAME is [a-z0-9-]+
      --label LABEL          the Org2Org app's label (default: the first okta_org2org app found)
  -o, --output FILE          write to FILE (default: stdout); refuses an existing FILE without --force
      --force                overwrite FILE
      --format yaml          output format (yaml only)

${GLOBAL_HELP}

Exit: 0 written, 1 error (nothing written), 130 interrupted (Ctrl-C; nothing written).`;

interface SpokeArg {
  name: string;
  url: string;
}

interface ExportArgs {
  hubUrl: string;
  spokes: SpokeArg[];
  label?: string;
  output?: string;
  force: boolean;
}

export async function runExport(argv: string[], io: ExportIo = {}): Promise<number> {
  const parsed = parseCommandArgs('export', argv, {
    'hub-url': { type: 'string' },
    spoke: { type: 'string', multiple: true },
    label: { type: 'string' },
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    format: { type: 'string' },
  });
  const session = startSession(io, parsed.global);
  if (parsed.global.help) return session.help(HELP);
  const args = exportArgs(parsed);
  const input = await readExport(session, args, spokeSources(session, args.spokes), (io.now ?? (() => new Date()))().toISOString());
  const text = renderExport(input);
  await validateExport(text, session.env, io.loadConfig ?? loadConfig);
  for (const s of input.withoutApp ?? [])
    session.err(
      `warning: spoke ${s.name} (${s.url}) has no Org2Org app yet: it is a commented stub at the end of the file, not exported.\n`,
    );
  if (args.output === undefined) {
    session.out(text);
    return 0;
  }
  await writeExport(args.output, text, args.force);
  const users = input.spokes.reduce((n, s) => n + s.users.length, 0);
  const pushed = input.spokes.reduce((n, s) => n + s.pushMappings.length, 0);
  session.err(
    `wrote ${inert(args.output)}: ${counted(input.spokes.length, 'spoke')}, ${counted(users, 'user assignment')}, ${counted(pushed, 'push mapping')}\n`,
  );
  return 0;
}

/** The command line, checked before anything is read: minutes on a large org are not spent on a typo. */
function exportArgs(parsed: ParsedArgs): ExportArgs {
  parsed.choice('format', ['yaml'], 'yaml');
  const given = parsed.string('hub-url');
  if (!given) throw new UsageError(`--hub-url is required.\n\n${HELP}`);
  const hubUrl = originOf(given, '--hub-url');
  const spokes = parsed.strings('spoke').map(parseSpokeArg);
  if (spokes.length === 0) throw new UsageError(`at least one --spoke NAME=URL is required.\n\n${HELP}`);
  const names = new Set<string>();
  for (const s of spokes) {
    if (names.has(s.name)) throw new UsageError(`--spoke ${s.name} is given twice.`);
    if (s.url === hubUrl) throw new UsageError(`--spoke ${s.name}: ${s.url} is the Hub; a Spoke is another org.`);
    names.add(s.name);
  }
  const output = parsed.string('output');
  const force = parsed.flag('force');
  // Checked before reading, and again when writing.
  if (output !== undefined && !force && existsSync(output)) throw new UsageError(`${output} exists; pass --force to overwrite it.`);
  return { hubUrl, spokes, label: parsed.string('label'), output, force };
}

/** Every Spoke's credential, checked before anything is read or drawn. */
function spokeSources(session: Session, spokes: SpokeArg[]): Omit<ExportSource['spokes'][number], 'client'>[] {
  return spokes.map((s) => {
    const tokenVar = spokeTokenVar(s.name);
    if (!session.env[tokenVar]) throw new UsageError(`spoke ${s.name}: set ${tokenVar} to an API token of ${s.url}.`);
    return { ...s, tokenVar };
  });
}

/** What the orgs hold, read with progress on stderr; the terminal is released before anything goes to stdout. */
async function readExport(
  session: Session,
  args: ExportArgs,
  spokes: Omit<ExportSource['spokes'][number], 'client'>[],
  generatedAt: string,
): Promise<ExportInput> {
  // A Spoke cut off mid-read (Ctrl-C) fails or would be written with lists missing.
  return session.readWithProgress('the orgs were not read to the end; nothing was written.', (progress) => {
    const clientOf = (org: string, url: string, tokenVar: string): OktaClient =>
      session.client(org, url, { kind: 'token', token: new Secret(tokenVar, session.env[tokenVar]!) });
    const sources = spokes.map((s) => {
      progress.message(`read ${s.tokenVar} for spoke ${s.name}`);
      return { ...s, client: clientOf(s.name, s.url, s.tokenVar) };
    });
    let hub: ExportSource['hub'];
    if (session.env[HUB_READ_TOKEN_VAR]) {
      progress.message(`read ${HUB_READ_TOKEN_VAR} for the Hub`);
      hub = { client: clientOf('hub', args.hubUrl, HUB_READ_TOKEN_VAR), tokenVar: HUB_READ_TOKEN_VAR };
    } else {
      progress.message(`${HUB_READ_TOKEN_VAR} not set: the Hub is not read (push targets get their source's name; link unknown)`);
    }
    progress.message(`the file refers to ${HUB_PROVISIONING_TOKEN_VAR} for each TOKEN connection (write-only in Okta, not read)`);
    return readExportInput({ hubUrl: args.hubUrl, spokes: sources, hub, label: args.label, onEvent: (e) => progress.read(e) }, generatedAt);
  });
}

/** `wx` refuses a file that appeared while the orgs were read. */
async function writeExport(output: string, text: string, force: boolean): Promise<void> {
  await writeFile(output, text, { flag: force ? 'w' : 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') throw new UsageError(`${output} exists; pass --force to overwrite it.`);
    throw new Org2OrgError(`cannot write ${output}: ${e.message}`);
  });
}

function parseSpokeArg(arg: string): SpokeArg {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`--spoke expects NAME=URL (got "${arg}").`);
  const name = arg.slice(0, eq);
  if (!/^[a-z0-9-]+$/.test(name)) throw new UsageError(`--spoke ${name}: a Spoke name is [a-z0-9-]+.`);
  return { name, url: originOf(arg.slice(eq + 1), `--spoke ${name}`) };
}

function originOf(text: string, what: string): string {
  if (!URL.canParse(text)) throw new UsageError(`${what}: "${text}" is not a URL.`);
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${what}: "${text}" is not an http(s) URL.`);
  return url.origin;
}

/**
 * The file must load with the project's own loader (schema and rules) before anyone sees it:
 * a failure is export's bug, reported as such, and nothing is written.
 */
async function validateExport(text: string, env: Env, load: LoadConfig): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'org2org-export-'));
  const file = join(dir, 'org2org.config.yaml');
  try {
    await writeFile(file, text);
    await load(file, { env, requireSecrets: false });
  } catch (e) {
    const problems = (e as { problems?: SourceProblem[] }).problems ?? [];
    const detail = problems.map((p) => `\n  line ${p.line}:${p.col} ${p.message}`).join('');
    throw new Org2OrgError(
      `internal error: the exported config does not pass validation, so nothing was written. This is a bug in export; please report it.\n  ${(e as Error).message}${detail}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The entry point main.ts calls. */
export { runExport as run };
