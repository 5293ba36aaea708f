/**
 * The few SGR colour codes org2org uses, written by hand (no colour library): colour is decided
 * once per run (src/render/terminal.ts, useColor) and passed down, so "off" means no escape codes.
 */
export type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'dim' | 'bold';

const SGR: Record<Tone, [open: string, close: string]> = {
  green: ['\x1b[32m', '\x1b[39m'],
  red: ['\x1b[31m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  cyan: ['\x1b[36m', '\x1b[39m'],
  magenta: ['\x1b[35m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

/** `text` in `tone` when colour is on; unchanged otherwise (and for empty text). */
export function colorize(text: string, tone: Tone, color: boolean): string {
  if (!color || text === '') return text;
  const [open, close] = SGR[tone];
  return `${open}${text}${close}`;
}
