/**
 * Progress of a run, on stderr, behind plain functions (cli-kit style): commands feed events and
 * never see JSX. In an interactive terminal it is an Ink app; otherwise plain lines a CI log can
 * keep — one per read collection, per finished change, per rate-limit wait (not per tick) — with
 * ANSI only when colour was asked for.
 *
 *   const progress = createProgress(detectTerminal({ noTty }));
 *   await readLiveState(…, { onEvent: (e) => progress.read(e) });
 *   await progress.stop();                       // before the plan goes to stdout
 */
import { INTERRUPTED_REASON, type ApplyEvent, type ApplyResult } from '../apply/types.js';
import type { ClientEvent } from '../okta/types.js';
import type { ReadEvent } from '../state/types.js';
import { createProgressStore } from './ink/progress-store.js';
import { formatCount } from './plan-lines.js';
import {
  finishedRowText,
  formatDuration,
  paint,
  RateLimitWaits,
  readDoneText,
  summaryLines,
  waitText,
  type RateLimitWait,
} from './progress-text.js';
import type { Terminal } from './terminal.js';

export interface Progress {
  read(event: ReadEvent): void;
  client(event: ClientEvent): void;
  apply(event: ApplyEvent): void;
  /** A line of its own (above the live area in a terminal). */
  message(text: string): void;
  /** Ends the progress: the last frame stays, the terminal is released. Call before writing to stdout. */
  stop(): Promise<void>;
}

export interface ProgressOptions {
  /** Default: process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Given to Ink (default: process.stdin). The progress view never reads it. */
  stdin?: NodeJS.ReadStream;
  /** Clock for countdowns and elapsed times (tests). */
  now?: () => number;
  /** Ink redraw interval in ms (spinners, countdowns); 0 = on events only. */
  tickMs?: number;
}

export function createProgress(term: Terminal, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  if (!term.interactive) return createPlainProgress(stream, term.color, now);

  const store = createProgressStore(now);
  // Ink (and React, and Yoga) load only for a terminal; events that come first wait in the store.
  const mounted = import('./ink/mount.js').then((ink) =>
    ink.mountProgress(store, {
      stream,
      color: term.color,
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
    }),
  );
  mounted.catch(() => {}); // reported by stop()
  let stopped: Promise<void> | undefined;
  return {
    read: (e) => store.read(e),
    client: (e) => store.client(e),
    apply: (e) => store.apply(e),
    message: (text) => store.message(text),
    stop() {
      stopped ??= mounted.then((app) => app.unmount());
      return stopped;
    },
  };
}

/** Rate-limit wait worth a line of its own; shorter ones are the scheduler pacing requests. */
const WAIT_LINE_MIN_MS = 1000;
/** A `--wait` progress line at least this often while the counts move, and at each new phase. */
const WAIT_PROGRESS_EVERY_MS = 10_000;

function createPlainProgress(stream: NodeJS.WritableStream, color: boolean, now: () => number): Progress {
  const line = (text: string): void => {
    stream.write(`${text}\n`);
  };
  const waits = new RateLimitWaits();
  const noteWait = (wait: RateLimitWait): void => {
    const at = now();
    if (waits.note(wait, at) && !wait.concurrency && wait.until - at >= WAIT_LINE_MIN_MS) {
      line(paint(waitText(wait, at), 'wait', color));
    }
  };
  return {
    read(event) {
      if (event.type === 'read-done') line(readDoneText(event.org, event.collection, event.count, event.ms, color));
    },
    client(event) {
      if (event.type === 'rate-limit-wait') {
        noteWait({ org: event.org, bucket: event.bucket, until: event.until, concurrency: event.reason === 'concurrency' });
      } else if (event.type === 'retry' && !event.rateLimit) {
        // 429s show as waits; other retries (5xx, resets, timeouts) are worth seeing in a CI log.
        line(
          paint(
            `retrying ${event.method} ${event.path} on ${event.org} in ${formatDuration(event.delayMs)} (attempt ${event.attempt}): ${event.reason}`,
            'dim',
            color,
          ),
        );
      }
    },
    apply: plainApplyLines(line, color, now, noteWait),
    message: line,
    stop: async () => {},
  };
}

/** Apply events as plain lines: one per finished change, the summary, and `--wait`'s progress now and then. */
function plainApplyLines(
  line: (text: string) => void,
  color: boolean,
  now: () => number,
  noteWait: (wait: RateLimitWait) => void,
): (event: ApplyEvent) => void {
  let applyStartedAt: number | undefined;
  let summarized = false;
  const waitProgress = plainWaitProgress(line, now);
  const applyEnded = (result: ApplyResult): void => {
    if (!summarized) {
      summarized = true;
      for (const text of summaryLines(result, applyStartedAt === undefined ? undefined : now() - applyStartedAt, color)) line(text);
      return;
    }
    // The command reports once more after --wait, with what the Hub showed: only that is new.
    if (result.verification) {
      for (const text of summaryLines({ ...result, results: [] }, undefined, color).slice(1)) line(text);
    }
  };
  return (event) => {
    switch (event.type) {
      case 'apply-start':
        applyStartedAt = now();
        summarized = false;
        return line(paint(`Applying ${formatCount(event.total)} ${event.total === 1 ? 'change' : 'changes'}…`, 'bold', color));
      case 'change-done':
        return line(finishedRowText({ outcome: 'applied', change: event.change, ms: event.ms }, color));
      case 'change-failed':
        return line(finishedRowText({ outcome: 'failed', change: event.change, message: event.message }, color));
      case 'change-skipped':
        // Not started after Ctrl-C: counted in the summary, not a line each (there may be thousands).
        if (event.reason === INTERRUPTED_REASON) return;
        return line(finishedRowText({ outcome: 'skipped', change: event.change, reason: event.reason }, color));
      case 'rate-limit-wait':
        return noteWait({ org: event.org, bucket: event.bucket, until: event.until, concurrency: event.reason === 'concurrency' });
      case 'wait-progress':
        return waitProgress(event.message, event.done === event.total);
      case 'apply-end':
        return applyEnded(event.result);
      case 'change-start':
        return;
    }
  };
}

/** A `--wait` progress message when its phase changes, when it is done, or every WAIT_PROGRESS_EVERY_MS; never the same twice. */
function plainWaitProgress(line: (text: string) => void, now: () => number): (message: string, done: boolean) => void {
  let last: { phase: string; at: number; message: string } | undefined;
  return (message, done) => {
    const at = now();
    const phase = message.replace(/\d[\d,]*/g, '#');
    const due = !last || last.phase !== phase || done || at - last.at >= WAIT_PROGRESS_EVERY_MS;
    if (due && last?.message !== message) {
      last = { phase, at, message };
      line(message);
    }
  };
}

/**
 * Asks in the terminal and resolves true only for the exact word `yes`. Without a terminal there
 * is nobody to ask: the command must refuse (or take `--auto-approve`) before ever calling this.
 */
export async function confirmApply(
  term: Terminal,
  question: string,
  options: { stdin?: NodeJS.ReadStream; stderr?: NodeJS.WriteStream } = {},
): Promise<boolean> {
  if (!term.interactive) {
    throw new Error('confirmApply needs an interactive terminal; without one, apply must refuse or use --auto-approve');
  }
  const { askConfirmation } = await import('./ink/mount.js');
  return askConfirmation(question, { stdin: options.stdin ?? process.stdin, stderr: options.stderr ?? process.stderr, color: term.color });
}
