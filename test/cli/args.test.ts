/**
 * One set of global flags for every command, `help <command>`, and messages for misspelt and
 * Terraform-spelt options: parsed in-process, and through the CLI as users run it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArgs } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../run-cli.js';

const usageMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a UsageError');
};

describe('parseCommandArgs', () => {
  const flags = { 'auto-approve': { type: 'boolean' }, out: { type: 'string' }, spoke: { type: 'string', multiple: true } } as const;

  it('gives every command the global flags, with the config default', () => {
    const parsed = parseCommandArgs('apply', ['--no-color', '--debug', '--no-tty', '-c', 'x.yaml', '--spoke', 'a', '--spoke', 'b'], flags);
    assert.deepEqual(parsed.global, { config: 'x.yaml', noColor: true, noTty: true, debug: true, help: false });
    assert.deepEqual(parsed.strings('spoke'), ['a', 'b']);
    assert.equal(parsed.flag('auto-approve'), false);
    assert.equal(parseCommandArgs('apply', [], flags).global.config, 'org2org.config.yaml');
  });

  it("names Terraform's single-dash spelling and the option meant", () => {
    assert.match(
      usageMessage(() => parseCommandArgs('apply', ['-auto-approve'], flags)),
      /"-auto-approve": org2org's options take two dashes .*Did you mean "--auto-approve"\?/,
    );
    assert.match(
      usageMessage(() => parseCommandArgs('apply', ['-out=plan.json'], flags)),
      /Did you mean "--out=plan.json"\?/,
    );
    assert.match(
      usageMessage(() => parseCommandArgs('apply', ['-no-color'], flags)),
      /Did you mean "--no-color"\?/,
    );
  });

  it('suggests the nearest option for a typo and points at the help', () => {
    const message = usageMessage(() => parseCommandArgs('apply', ['--auto-aprove'], flags));
    assert.match(
      message,
      /unknown option "--auto-aprove" for `org2org apply`\. Did you mean "--auto-approve"\? Run `org2org help apply`\./,
    );
    assert.doesNotMatch(message, /positional/);
  });

  it('accepts a short string option with its value attached, and refuses a value for a boolean', () => {
    assert.equal(parseCommandArgs('plan', ['-cfile.yaml'], flags).global.config, 'file.yaml');
    assert.match(
      usageMessage(() => parseCommandArgs('plan', ['--debug=yes'], flags)),
      /"--debug" takes no value/,
    );
  });

  it('refuses positionals beyond what the command takes, and spots a flag without dashes', () => {
    assert.match(
      usageMessage(() => parseCommandArgs('plan', ['extra'], flags)),
      /unexpected argument "extra": `org2org plan` takes no arguments/,
    );
    assert.match(
      usageMessage(() => parseCommandArgs('apply', ['auto-approve'], flags)),
      /Did you mean "--auto-approve"\?/,
    );
    const parsed = parseCommandArgs('apply', ['plan.json'], flags, { maxPositionals: 1, positionalName: 'saved plan file' });
    assert.deepEqual(parsed.positionals, ['plan.json']);
    assert.match(
      usageMessage(() => parseCommandArgs('apply', ['a', 'b'], flags, { maxPositionals: 1, positionalName: 'saved plan file' })),
      /at most 1 saved plan file/,
    );
  });
});

describe('the CLI: global flags, help <command>, did-you-mean', () => {
  it('`help <command>` prints that command’s help, and every command lists the global options', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = await runCli(['help', name], {});
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Usage: org2org ${name}`), name);
      assert.match(r.stdout, /Global options \(every command\):[\s\S]*--no-color[\s\S]*--no-tty[\s\S]*--debug/, name);
    }
  });

  it('accepts --no-color, --no-tty and --debug on every command (here: validate), before or after the command', async () => {
    for (const args of [
      ['validate', '--no-color', '--no-tty', '--debug', '-c', 'examples/minimal.yaml'],
      ['--no-color', 'validate', '-c', 'examples/minimal.yaml'],
    ]) {
      const r = await runCli(args, {});
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /✓ valid/);
    }
  });

  it('suggests the command for a typo and the option for -auto-approve, exit 1', async () => {
    const typo = await runCli(['plna'], {});
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /unknown command "plna"\. Did you mean `org2org plan`\?/);
    const terraform = await runCli(['apply', '-auto-approve'], {});
    assert.equal(terraform.code, 1);
    assert.match(terraform.stderr, /Did you mean "--auto-approve"\?/);
  });
});
