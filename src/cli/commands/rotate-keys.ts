/**
 * `org2org rotate-keys --spoke S`: MANUAL key rotation of a Spoke's OAuth 2.0 connection, in the
 * overlap order (new Spoke key → Hub trusts both → Spoke signs with the new → Hub drops the old),
 * so no push fails; run it again to finish a rotation that was cut off.
 */
import { inert } from '../../inert.js';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { rotateKeys, type RotationStep } from '../../apply/rotate-keys.js';
import { startSession, type SessionIo } from '../session.js';

export type RotateKeysIo = SessionIo;

const HELP = `Usage: org2org rotate-keys --spoke NAME [-c FILE] [--validity-years N] [--allow-saml-key-change] [--format text|json]

Rotates the key of a Spoke's OAuth 2.0 provisioning connection (rotationMode: MANUAL), in the
order that keeps provisioning working throughout:
  1. a new key in the Spoke's Org2Org app
  2. the Hub's service app trusts the old and the new key
  3. the Spoke app signs with the new key
  4. the Hub's service app drops the old key
If it is cut off, run it again: it finds the steps already done and finishes the rest.
On a SAML_2_0 Org2Org app the signing key is also the SAML certificate: if a Hub identity
provider trusts it (SSO from the Spoke into the Hub), rotate-keys refuses before writing anything
unless --allow-saml-key-change is given, and names the follow-up step for that IdP.
Needs the Spoke's credential (manages apps) and the Hub's (hub.auth, manages the service app).

Options:
      --spoke NAME           the Spoke whose connection key to rotate (required)
      --validity-years N     how long the new key is valid, 2–10 (default 5)
      --allow-saml-key-change  rotate although a Hub identity provider trusts the key as
                             the Spoke's SAML signing certificate (or that can't be checked)
      --format text|json     output format (default: text)

${GLOBAL_HELP}

Exit: 0 rotated (or finished), 1 on error (what was done so far is listed).`;

export async function runRotateKeys(argv: string[], io: RotateKeysIo = {}): Promise<number> {
  const parsed = parseCommandArgs('rotate-keys', argv, {
    spoke: { type: 'string' },
    'validity-years': { type: 'string' },
    'allow-saml-key-change': { type: 'boolean' },
    format: { type: 'string' },
  });
  const session = startSession(io, parsed.global);
  if (parsed.global.help) return session.help(HELP);
  const name = parsed.string('spoke');
  if (!name) throw new UsageError('rotate-keys needs --spoke NAME: the Spoke whose connection key to rotate.');
  const format = parsed.choice('format', ['text', 'json'], 'text');
  const years = Number(parsed.string('validity-years') ?? '5');
  if (!Number.isInteger(years) || years < 2 || years > 10)
    throw new UsageError(`--validity-years must be a whole number from 2 to 10 (got "${parsed.string('validity-years')}").`);

  const desired = await session.loadConfig(parsed.global.config, [name]);
  const spoke = desired.spokes[0]!;
  const clients = session.clients(desired);
  const onStep = (s: RotationStep): void => session.err(`${s.outcome === 'done' ? '✓' : '·'} ${inert(s.message)}\n`);
  const result = await rotateKeys(spoke, clients.spokes[spoke.name]!, clients.hub, {
    validityYears: years,
    onStep,
    allowSamlKeyChange: parsed.flag('allow-saml-key-change'),
  });
  // IdP names come from Okta: inert like every other printed name.
  for (const step of result.samlFollowUp ?? []) session.err(`! follow-up: ${inert(step, 2000)}\n`);
  if (format === 'json') session.out(JSON.stringify({ formatVersion: 1, spoke: spoke.name, ...result }, null, 2) + '\n');
  else
    session.out(
      `Rotated the connection key of ${spoke.name}: ${result.oldKid ?? '?'} → ${result.newKid ?? '?'} (Hub service app ${result.clientId}).\n`,
    );
  return 0;
}

/** The entry point main.ts calls. */
export { runRotateKeys as run };
