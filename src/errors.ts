/**
 * The closed set of errors org2org raises on purpose. Only `src/cli` catches them and maps
 * them to messages and exit codes; anything else reaching the top is a bug (reported as such).
 * Messages never contain secrets: callers pass env var names, never values.
 */

/** Base class: a message meant for the user, already saying what to do. */
export class Org2OrgError extends Error {
  override name = 'Org2OrgError';
  /** Process exit code the CLI uses for this error. */
  exitCode = 1;
}

/** Wrong command-line usage (unknown flag, missing argument). */
export class UsageError extends Org2OrgError {
  override name = 'UsageError';
}

export interface SourceProblem {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  /** Path in the document, as a JSON pointer (`/spokes/0/url`). */
  pointer: string;
  message: string;
}

/** The config cannot be used: unreadable, invalid YAML, schema or rule violations. */
export class ConfigError extends Org2OrgError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly problems: SourceProblem[] = [],
  ) {
    super(message);
  }
}

/** A saved plan no longer matches the live orgs or the config it was computed from. */
export class StalePlanError extends Org2OrgError {
  override name = 'StalePlanError';
  constructor(
    message: string,
    readonly differences: string[],
  ) {
    super(message);
  }
}

/** An apply refused by a safety rule (mass removal, non-interactive without --auto-approve, …). */
export class SafetyError extends Org2OrgError {
  override name = 'SafetyError';
}

/**
 * Ctrl-C: the run stopped starting work (requests not yet sent are dropped, those in flight
 * finish). Exit 130, as a shell reports a process ended by SIGINT.
 */
export class InterruptedError extends Org2OrgError {
  override name = 'InterruptedError';
  override exitCode = 130;
}
