/**
 * Every file a command reads or writes besides the config (which source-file.ts reads the same
 * way): the saved plan and the config it names, `plan --out`, `$GITHUB_STEP_SUMMARY`, `export -o`.
 * Invariants: only regular files are read, never more than a cap, and opening one never blocks
 * (a FIFO or a device is refused before a byte is read); nothing is written through a symbolic
 * link, onto a file the command reads, or onto anything but a regular file; a write that fails
 * (a full disk) leaves no half-written file behind (except an append, which can't be undone);
 * every failure is an Org2OrgError (exit 1) that names the file and what to do.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { scrubSecrets } from '../credentials.js';
import { Org2OrgError } from '../errors.js';

/** The largest saved plan read: far above the plan of the largest config (5 MB), far below what hurts. */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** What a file system object is, in words, when it isn't a regular file. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * A regular file's bytes, at most `maxBytes`. `what` names the file in errors ("the saved plan"),
 * `hint` says what to do about it (or words the whole message from the reason).
 */
export function readRegularFile(file: string, what: string, maxBytes: number, hint: string | ((why: string) => string) = ''): Buffer {
  const fail = (why: string): never => {
    if (typeof hint === 'function') throw new Org2OrgError(hint(why));
    throw new Org2OrgError(`cannot read ${what} ${file}: ${why}.${hint ? ` ${hint}` : ''}`);
  };
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const c = code(e);
    if (c === 'ENOENT') return fail('no such file');
    if (c === 'EACCES') return fail('permission denied');
    return fail(c);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return fail(`it is ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) return fail(`it is ${megabytes(st.size)}, over the ${megabytes(maxBytes)} limit`);
    // Read to the cap whatever the size said: the file may grow while it is read.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return fail(`it is over the ${megabytes(maxBytes)} limit`);
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof Org2OrgError) throw e;
    return fail(code(e));
  } finally {
    closeSync(fd);
  }
}

function megabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

export interface WriteOptions {
  /** Names the file in errors: "the plan (--out)". */
  what: string;
  /** Files this command reads: writing onto one of them is refused (same file, whatever the path). */
  inputs?: readonly string[];
  /** Add to the end (the step summary) instead of replacing. */
  append?: boolean;
  /** Refuse a file that exists (export without --force); the message is the caller's. */
  exclusive?: { message: string; error: (message: string) => Error };
}

/** Writes `text` to `file` under the invariants above. */
export function writeOutputFile(file: string, text: string, options: WriteOptions): void {
  const fail = checkOutputFile(file, options);
  // Secrets are masked where they are held (Secret), so this finds none; if one slipped into a
  // value anyway, the file still doesn't get it.
  const safe = scrubSecrets(text);
  if (options.append) appendTo(file, safe, fail);
  else replace(file, safe, fail);
}

/**
 * Throws what writeOutputFile would refuse, before the work whose result it would write (a plan
 * that took minutes to read is not lost to a mistyped --out). Returns the failure reporter.
 */
export function checkOutputFile(file: string, options: WriteOptions): (why: string) => never {
  const { what } = options;
  const fail = (why: string): never => {
    throw new Org2OrgError(`cannot write ${what} to ${file}: ${why}; nothing was written there.`);
  };
  let existing: Stats | undefined;
  try {
    existing = lstatSync(file);
  } catch (e) {
    const c = code(e);
    if (c === 'ENOTDIR') return fail('a part of the path is not a directory');
    if (c === 'EACCES') return fail('permission denied');
    if (c !== 'ENOENT') return fail(c);
  }
  if (existing === undefined) {
    const dir = dirname(file);
    let dirStat: Stats | undefined;
    try {
      dirStat = statSync(dir);
    } catch {
      dirStat = undefined;
    }
    if (!dirStat?.isDirectory()) return fail(`the directory ${dir} does not exist — create it first, or write elsewhere`);
  } else {
    if (options.exclusive) throw options.exclusive.error(options.exclusive.message);
    if (existing.isSymbolicLink()) {
      return fail('it is a symbolic link, and org2org does not write through links — give the path of the file itself');
    }
    if (!existing.isFile()) return fail(`it is ${kindOf(existing)} — give the path of a regular file`);
    for (const input of options.inputs ?? []) {
      let st: Stats;
      try {
        st = statSync(input);
      } catch {
        continue;
      }
      if (st.dev === existing.dev && st.ino === existing.ino) {
        return fail(`it is ${input}, which this command reads — write the output to another file`);
      }
    }
  }
  return fail;
}

/** Appends; O_NOFOLLOW refuses a link that appeared since the check, O_NONBLOCK a FIFO. */
function appendTo(file: string, text: string, fail: (why: string) => never): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o666);
  } catch (e) {
    return fail(writeError(e));
  }
  try {
    if (!fstatSync(fd).isFile()) return fail('it is not a regular file');
    writeAll(fd, text);
  } catch (e) {
    if (e instanceof Org2OrgError) throw e;
    return fail(writeError(e));
  } finally {
    closeSync(fd);
  }
}

/** Writes a new file beside the target and renames it over: the target is whole or untouched. */
function replace(file: string, text: string, fail: (why: string) => never): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
  } catch (e) {
    return fail(writeError(e));
  }
  let done = false;
  try {
    writeAll(fd, text);
    closeSync(fd);
    fd = -1;
    renameSync(temp, file);
    done = true;
  } catch (e) {
    return fail(writeError(e));
  } finally {
    if (fd >= 0) closeSync(fd);
    if (!done) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone.
      }
    }
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

function writeError(e: unknown): string {
  const c = code(e);
  if (c === 'ENOSPC' || c === 'EDQUOT') return 'the disk is full';
  if (c === 'EACCES' || c === 'EPERM') return 'permission denied';
  if (c === 'EROFS') return 'the file system is read-only';
  if (c === 'ELOOP') return 'it is a symbolic link, and org2org does not write through links';
  if (c === 'EISDIR') return 'it is a directory';
  if (c === 'ENXIO' || c === 'EAGAIN') return 'it is not a regular file';
  return c;
}
