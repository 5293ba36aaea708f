/**
 * The simulator's clock: real time plus an offset a test can move forward (`sim.advance(ms)`), so
 * the System Log's lag, token windows and delayed provisioning can be crossed without sleeping.
 * Every time the simulator shows (the `Date` header, `published`, `lastUpdated`, …) reads it.
 *
 * It is one clock per process (a test's simulators share it), and it only moves forward: what was
 * "now" never becomes the future again. Tests that run simulators concurrently in one process and
 * advance the clock must expect the others to see the jump.
 */
let offsetMs = 0;
const onAdvance = new Set<() => void>();

/** Epoch ms, as the simulator sees it. */
export function simNow(): number {
  return Date.now() + offsetMs;
}

/** Moves the clock `ms` forward and runs what has come due (delayed provisioning). */
export function advanceClock(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`sim: the clock moves forward only (got ${ms} ms)`);
  offsetMs += ms;
  for (const due of [...onAdvance]) due();
}

/** `fn` runs after each advance (a world's due timers); returns what stops it. */
export function whenAdvanced(fn: () => void): () => void {
  onAdvance.add(fn);
  return () => onAdvance.delete(fn);
}
