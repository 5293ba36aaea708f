/**
 * `org2org export`: read an existing Org2Org setup (one or more Spokes, optionally the Hub) and
 * write the config that describes it, so adopting org2org starts from "plan: no changes".
 * Read (src/export/read-export, through readLiveState) → build the document (pure) → validate it with the config loader →
 * write it (stdout, or -o FILE which is never overwritten without --force).
 */
import { inert } from '../../inert.js';
import { counted } from '../../render/plan-lines.js';
import { dirname, resolve } from 'node:path';
import { checkOutputFile, type WriteOptions, writeOutputFile } from '../files.js';
import { GLOBAL_HELP, parseCommandArgs, type ParsedArgs } from '../args.js';
import { startSession, type SessionIo } from '../session.js';
import { UsageError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { renderExport } from '../../export/build-document.js';
import { schemaReference } from '../schema-ref.js';
import { runExportInto } from '../export-into.js';
import { originOf, parseSpokeArg, readExport, spokeSources, validateExport, type SpokeArg } from '../export-read.js';

export type ExportIo = SessionIo;

const HELP = `Usage: org2org export --hub-url URL --spoke NAME=URL [--spoke NAME=URL …] [--label LABEL] [-o FILE] [--force] [--format yaml]
       org2org export --into FILE [--spoke NAME]… [--check]   (take console changes into FILE, in place; see export --into --help)

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

interface ExportArgs {
  hubUrl: string;
  spokes: SpokeArg[];
  label?: string;
  output?: string;
  force: boolean;
}

export async function runExport(argv: string[], io: ExportIo = {}): Promise<number> {
  // Merging into an existing file is another command line: the file names the orgs and credentials.
  if (argv.some((a) => a === '--into' || a.startsWith('--into='))) return runExportInto(argv, io);
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
  // The $schema line must resolve where the file goes (stdout: the current directory).
  const text = renderExport(input, {
    schemaRef: schemaReference(args.output === undefined ? process.cwd() : dirname(resolve(args.output))),
  });
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
  // Checked before any org is read (and again when writing).
  if (output !== undefined) checkOutputFile(output, outputOptions(output, force));
  return { hubUrl, spokes, label: parsed.string('label'), output, force };
}

/** `wx` refuses a file that appeared while the orgs were read. */
/** Never through a link, never anything but a regular file; an existing one only with --force. */
function outputOptions(output: string, force: boolean): WriteOptions {
  return {
    what: 'the config (-o)',
    ...(force
      ? {}
      : { exclusive: { message: `${output} exists; pass --force to overwrite it.`, error: (m: string) => new UsageError(m) } }),
  };
}

async function writeExport(output: string, text: string, force: boolean): Promise<void> {
  writeOutputFile(output, text, outputOptions(output, force));
}

/** The entry point main.ts calls. */
export { runExport as run };
