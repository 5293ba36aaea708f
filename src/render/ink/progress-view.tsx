/**
 * The Ink progress view (after Ink's examples/jest): finished changes scroll up in <Static> and
 * stay; below them, redrawn in place, what is running — reads per org and collection, changes in
 * flight, rate-limit waits counting down — and the summary last. Colour is our own ANSI (see
 * progress-text), never Ink's guess, so `color: false` means none at all.
 */
import type React from 'react';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Box, Static, Text } from 'ink';
import { counted, formatCount } from '../plan-lines.js';
import { finishedRowText, paint, runningText, summaryLines, waitText } from '../progress-text.js';
import { orgTotals, type LogItem, type OrgRead, type ProgressStore } from './progress-store.js';
import { addressOf } from '../../plan/address.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_FRAME_MS = 80;
/** Changes in flight shown one per line; more would push the screen around. */
export const MAX_RUNNING_ROWS = 6;

/** One timer for the whole view: spinners and countdowns read the same clock. */
function useClock(now: () => number, tickMs: number): number {
  const [at, setAt] = useState(now);
  useEffect(() => {
    if (tickMs <= 0) return undefined;
    const timer = setInterval(() => setAt(now()), tickMs);
    // Animation alone never keeps the process alive (a command that forgets stop() still exits).
    timer.unref();
    return () => clearInterval(timer);
  }, [now, tickMs]);
  return at;
}

export function spinnerFrame(at: number): string {
  return SPINNER[Math.floor(at / SPINNER_FRAME_MS) % SPINNER.length]!;
}

function Spinner({ at, color }: { at: number; color: boolean }): React.JSX.Element {
  return <Text>{paint(spinnerFrame(at), 'wait', color)}</Text>;
}

export interface ProgressViewProps {
  store: ProgressStore;
  color: boolean;
  /** Redraw interval for spinners and countdowns; 0 = only when events arrive (tests). */
  tickMs?: number;
}

export function ProgressView({ store, color, tickMs = SPINNER_FRAME_MS }: ProgressViewProps): React.JSX.Element {
  useSyncExternalStore(store.subscribe, store.version);
  const ticked = useClock(store.now, store.state.stopped ? 0 : tickMs);
  // An event may arrive between ticks; never draw a countdown older than the store's clock.
  const at = Math.max(ticked, store.now());
  const s = store.state;
  // <Static> memoizes on the array's identity: hand it a new one when rows were added.
  const logLength = s.log.length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the log is appended in place, so its length is what changes
  const log = useMemo(() => s.log.slice(), [s.log, logLength]);
  const orgWidth = Math.max(0, ...[...s.orgs.keys()].map((name) => name.length));
  return (
    <>
      <Static items={log}>{(item: LogItem) => <Text key={item.id}>{logText(item, color)}</Text>}</Static>
      <Box flexDirection="column">
        {[...s.orgs.values()].map((org) => (
          <OrgReading key={org.org} org={org} width={orgWidth} at={at} color={color} stopped={s.stopped} />
        ))}
        {s.apply && !s.result ? <ApplyStatus store={store} at={at} color={color} /> : null}
        {/* The apply's summary stays above what --wait does next. */}
        {s.result ? <Text>{summaryLines(s.result.result, s.result.elapsedMs, color).join('\n')}</Text> : null}
        {/* A countdown means nothing once the run has stopped (Ctrl-C included): no stale wait line stays. */}
        {(s.stopped ? [] : s.waits.active(at))
          .filter((w) => !w.concurrency || w.until - at >= 1000)
          .map((w) => (
            <Box key={`${w.org}/${w.bucket}`}>
              {s.stopped ? null : <Spinner at={at} color={color} />}
              <Text>{`${s.stopped ? '' : ' '}${paint(waitText(w, at), 'wait', color)}`}</Text>
            </Box>
          ))}
        {s.waitProgress ? (
          <Box>
            {s.stopped ? null : <Spinner at={at} color={color} />}
            <Text>{`${s.stopped ? '' : ' '}${s.waitProgress.message}`}</Text>
          </Box>
        ) : null}
      </Box>
    </>
  );
}

/**
 * The changes started beyond the rows shown, said truthfully: a change whose request waits in
 * the client (for a free slot or the rate limit) is queued, not in flight.
 */
function moreRunning(more: number, s: ProgressStore['state'], at: number): string {
  const running = s.running.size;
  if (s.inFlight >= running) return `${formatCount(more)} more in flight`;
  const why = s.waits.active(at).length > 0 ? ' for the rate limit' : '';
  return `${formatCount(more)} more started: ${counted(s.inFlight, 'request')} in flight, the rest queued${why}`;
}

function logText(item: LogItem, color: boolean): string {
  return item.kind === 'row' ? finishedRowText(item.row, color) : item.text;
}

function OrgReading({
  org,
  width,
  at,
  color,
  stopped,
}: {
  org: OrgRead;
  width: number;
  at: number;
  color: boolean;
  stopped: boolean;
}): React.JSX.Element {
  const t = orgTotals(org);
  const finished = t.running.length === 0;
  const mark = finished ? paint('✓', 'ok', color) : stopped ? paint('…', 'dim', color) : spinnerFrame(at);
  const counts = finished
    ? `${counted(t.objects, 'object')} in ${counted(t.collections, 'collection')}`
    : `${counted(t.objects, 'object')} · ${formatCount(t.done)} of ${counted(t.collections, 'collection')}`;
  return (
    <Box flexDirection="column">
      <Text>{`${finished ? mark : paint(mark, 'wait', color)} ${paint(org.org.padEnd(width), 'bold', color)}  ${counts}`}</Text>
      {t.running.map((c) => (
        <Text
          key={c.collection}
          wrap="truncate-end"
        >{`    ${stopped ? paint('…', 'dim', color) : paint(spinnerFrame(at), 'wait', color)} ${c.collection}${c.count > 0 ? ` ${formatCount(c.count)}` : ''}`}</Text>
      ))}
    </Box>
  );
}

function ApplyStatus({ store, at, color }: { store: ProgressStore; at: number; color: boolean }): React.JSX.Element {
  const s = store.state;
  const a = s.apply!;
  const finished = a.applied + a.failed + a.skipped;
  const parts = [`${formatCount(finished)} of ${formatCount(a.total)} changes`];
  if (a.failed > 0) parts.push(paint(`${formatCount(a.failed)} failed`, 'fail', color));
  if (a.skipped > 0) parts.push(paint(`${formatCount(a.skipped)} skipped`, 'skip', color));
  parts.push(`${Math.floor(Math.max(0, at - a.startedAt) / 1000)} s`);
  const requests =
    s.requests > 0
      ? paint(
          ` (${formatCount(s.requests)} ${s.requests === 1 ? 'request' : 'requests'}${s.retries > 0 ? `, ${formatCount(s.retries)} retried` : ''})`,
          'dim',
          color,
        )
      : '';
  const running = [...s.running.values()];
  const shown = running.slice(0, MAX_RUNNING_ROWS);
  const spin = s.stopped ? paint('…', 'dim', color) : paint(spinnerFrame(at), 'wait', color);
  return (
    <Box flexDirection="column">
      <Text>{`${spin} ${paint('Applying', 'bold', color)}: ${parts.join(' · ')}${requests}`}</Text>
      {shown.map((r) => (
        <Text key={addressOf(r.change)} wrap="truncate-end">{`  ${spin} ${runningText(r.change)}`}</Text>
      ))}
      {running.length > shown.length ? (
        <Text>{paint(`    … and ${moreRunning(running.length - shown.length, s, at)}`, 'dim', color)}</Text>
      ) : null}
    </Box>
  );
}
