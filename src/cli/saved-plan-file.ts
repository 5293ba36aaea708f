/**
 * Reading a saved plan file (`plan --out`), shared by the commands that take one (apply, show):
 * anything that isn't a well-formed plan of this format is a clear error, never an internal one.
 * The shape is checked by ajv against schemas/plan.schema.json, the published truth of the format;
 * what a schema can't say (one change per address, dependencies without a cycle) by
 * planOfFile.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { planOfFile } from '../apply/saved-plan.js';
import { describePointer } from '../config/schema-check.js';
import { Org2OrgError } from '../errors.js';
import { DEFAULT_ALLOWANCES } from '../plan/guards.js';
import { PLAN_FORMAT_VERSION, type Plan, type PlanFile, type WrittenPlanFile } from '../plan/types.js';
import { VERSION } from '../version.js';
import { MAX_PLAN_BYTES, readRegularFile } from './files.js';

export const PLAN_SCHEMA_URL = new URL('../../schemas/plan.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true }).compile(
    JSON.parse(readFileSync(PLAN_SCHEMA_URL, 'utf8')) as Record<string, unknown>,
  );
  return compiled;
}

/** Where a parsed plan file departs from schemas/plan.schema.json, as `path: what is wrong`; empty when it doesn't. */
export function planSchemaProblems(value: unknown): string[] {
  const validate = validator();
  if (validate(value)) return [];
  return [...new Set((validate.errors ?? []).map(explain))];
}

function explain(error: ErrorObject): string {
  const path = describePointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path} is missing "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `${path} has "${String(params.additionalProperty)}", which a plan file does not have`;
    case 'type':
      return `${path} must be ${String(params.type).split(',').join(' or ')}`;
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${path} must be ${JSON.stringify(params.allowedValue)}`;
    case 'discriminator':
      return `${path}.${String(params.tag)} is not a change org2org makes`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

/** A saved plan, checked for the shape apply relies on; a clear error for anything else. */
export function readSavedPlan(file: string): PlanFile {
  const bytes = readRegularFile(file, 'the saved plan', MAX_PLAN_BYTES, `Make one with \`org2org plan --out ${file}\`.`);
  const text = bytes.toString('utf8');
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
  const schemaProblems = planSchemaProblems(plan);
  const read = schemaProblems.length > 0 ? { problems: schemaProblems } : planOfFile(plan as unknown as WrittenPlanFile);
  if (read.problems !== undefined) {
    const { problems } = read;
    const shown = problems.slice(0, 10).map((p) => `  - ${p}`);
    if (problems.length > 10) shown.push(`  - … and ${problems.length - 10} more`);
    throw new Org2OrgError(
      `${file} is not a well-formed plan file (schemas/plan.schema.json); nothing was read or written:\n${shown.join('\n')}\nMake a new one with \`org2org plan --out ${file}\`.`,
    );
  }
  const whole = read.plan;
  // A plan made before plans recorded allowances allowed nothing beyond the defaults.
  whole.allowances = { ...DEFAULT_ALLOWANCES, ...(whole.allowances ?? {}) };
  whole.guards ??= [];
  return whole;
}

/**
 * Runs `use` on a plan read from `file` (rendering it, comparing it): a field the checks above
 * let through in a shape the code can't use is that file's fault, and said so (exit 1), never an
 * internal error. The plan schema says what a plan is; this covers what it can't.
 */
export function usingSavedPlan<T>(file: string, use: () => T): T {
  try {
    return use();
  } catch (e) {
    if (e instanceof Org2OrgError || !(e instanceof TypeError || e instanceof RangeError)) throw e;
    throw new Org2OrgError(
      `${file} is not a well-formed plan file (${e.message}); nothing was written. Make a new one with \`org2org plan --out ${file}\`.`,
    );
  }
}
