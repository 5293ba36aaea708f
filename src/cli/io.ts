/**
 * Where a command writes and which environment it reads (the process's, unless a test injects its
 * own), and whether stdout gets colour.
 */

export type Env = Record<string, string | undefined>;

/** Where a command writes and which environment it reads: the process's, unless a test injects its own. */
export function commandIo(io: { stdout?: (text: string) => void; stderr?: (text: string) => void; env?: Env }): {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Env;
} {
  return {
    out: io.stdout ?? ((text) => void process.stdout.write(text)),
    err: io.stderr ?? ((text) => void process.stderr.write(text)),
    env: io.env ?? process.env,
  };
}

/** Colour on stdout: never with --no-color or NO_COLOR; FORCE_COLOR forces it; else only on a TTY. */
export function useColor(noColorFlag: boolean, env: Env, isTTY: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}
