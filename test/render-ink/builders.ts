/** Small builders for progress tests: results as apply reports them, clocks, fake terminals (changes: test/builders/plan.ts). */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { ApplyResult, ChangeResult } from '../../src/apply/types.js';
import type { Change } from '../../src/plan/types.js';
import { addressOf } from '../../src/plan/address.js';

export function result(outcomes: ChangeResult[], extra: Partial<ApplyResult> = {}): ApplyResult {
  return {
    results: outcomes,
    applied: outcomes.filter((r) => r.outcome === 'applied').length,
    failed: outcomes.filter((r) => r.outcome === 'failed').length,
    skipped: outcomes.filter((r) => r.outcome === 'skipped').length,
    ...extra,
  };
}

export function outcome(c: Change, o: ChangeResult['outcome'], message?: string): ChangeResult {
  return { address: addressOf(c), spoke: c.resource.spoke, action: c.action, outcome: o, ...(message !== undefined ? { message } : {}) };
}

/** A settable clock. */
export function clock(start = 1_800_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

// eslint-disable-next-line no-control-regex
export const ANSI_PATTERN = /\u001b\[[0-9;?]*[A-Za-z]/;

/**
 * Reads until `ok` holds (or gives up and returns the last value, for the assertion to show).
 * React commits Ink's frames and effects in later turns, more of them on a busy machine; a
 * fixed number of turns would make tests flaky. Bounded: 400 × 5 ms at most.
 */
export async function eventually<T>(read: () => T, ok: (value: T) => boolean, tries = 400): Promise<T> {
  let value = read();
  for (let i = 0; i < tries && !ok(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    value = read();
  }
  return value;
}

/** A terminal-like stderr for Ink: records everything written. */
export function fakeTty(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number; rows: number };
  stream.isTTY = true;
  stream.columns = 120;
  stream.rows = 40;
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

/** A terminal-like stdin for Ink (as ink-testing-library's): `type` sends keys. */
export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  type(keys: string): void {
    this.data = keys;
    this.emit('readable');
    this.emit('data', keys);
  }
  read(): string | null {
    const { data } = this;
    this.data = null;
    return data;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
