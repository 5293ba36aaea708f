import { Org2OrgError } from '../../errors.js';

// Placeholder until its issue lands: says so plainly instead of pretending.
export async function run(_argv: string[]): Promise<number> {
  throw new Org2OrgError('`org2org demo` is not available in this build yet.');
}
