import { validateConfigFile } from '../../src/cli/commands/validate.js';

/** Runs `org2org validate ARGV` and returns its exit code and output. */
export async function runValidate(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await validateConfigFile(argv, (text) => {
    out += text;
  });
  return { code, out };
}
