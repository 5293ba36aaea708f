/**
 * Reading a saved plan file (`plan --out`), shared by the commands that take one (apply, show):
 * anything that isn't a well-formed plan of this format is a clear error, never an internal one.
 */
import { readFileSync } from 'node:fs';
import { savedPlanProblems } from '../apply/saved-plan.js';
import { Org2OrgError } from '../errors.js';
import { parseAddress } from '../plan/address.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types.js';
import { VERSION } from '../version.js';

/** A saved plan, checked for the shape apply relies on; a clear error for anything else. */
export function readSavedPlan(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Org2OrgError(
      `cannot read the saved plan ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Make one with \`org2org plan --out ${file}\`.`,
    );
  }
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(text) as Partial<Plan>;
  } catch {
    throw new Org2OrgError(`${file} is not a plan file (not JSON). Make one with \`org2org plan --out ${file}\`.`);
  }
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan) || plan.tool?.name !== 'org2org') {
    throw new Org2OrgError(`${file} is not an org2org plan file. Make one with \`org2org plan --out ${file}\`.`);
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new Org2OrgError(
      `${file} has plan format ${JSON.stringify(plan.formatVersion) ?? 'none'}; this org2org (${VERSION}) reads format ${PLAN_FORMAT_VERSION}. Plan again with this version.`,
    );
  }
  const problems = savedPlanProblems(plan);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `  - ${p}`);
    if (problems.length > 10) shown.push(`  - … and ${problems.length - 10} more`);
    throw new Org2OrgError(
      `${file} is not a well-formed plan file; nothing was read or written:\n${shown.join('\n')}\nMake a new one with \`org2org plan --out ${file}\`.`,
    );
  }
  // The file keeps each change's resource in its address only; put the typed key back.
  const whole = plan as Plan;
  for (const spoke of whole.spokes) {
    for (const change of spoke.changes) change.resource = parseAddress(change.address)!;
  }
  return whole;
}
