/**
 * The pages of one list, read along its `Link: <…>; rel="next"` cursor chain. A cursor chain is
 * the longest wait of a read (each page must name the next), so the next page is asked for as
 * soon as this page's headers are in — before its body is read and parsed, and before the caller
 * has handled it — and as an urgent request (see RateLimitScheduler.acquire). A page's JSON is
 * parsed only when the caller takes it, and at most AHEAD pages wait for the caller, so memory
 * stays flat however slow the caller is.
 */
import { Org2OrgError } from '../errors.js';
import { describePath } from './routes.js';
import type { HeaderReader } from './transport.js';

/** Pages read ahead of the one the caller is handling. */
const AHEAD = 2;

/** One page's answer, its body not yet parsed. */
export interface RawPage {
  text: string;
  headers: HeaderReader;
}

export interface PageChainOptions {
  org: string;
  /** The list's first URL, query included. */
  first: URL;
  /** The list as messages name it (its path, without the query the client adds). */
  listed: URL;
  /** The first page is urgent too (the next pages always are). */
  urgent: boolean;
  maxPages: number;
  /** Sends a GET; calls `onHeaders` when a 2xx answer's headers are in (maybe again on a retry). */
  get: (url: URL, urgent: boolean, onHeaders: (headers: HeaderReader) => void) => Promise<RawPage>;
  /** A next link as a URL of the org's own origin; throws Org2OrgError otherwise. */
  resolve: (link: string) => URL;
  parse: (text: string) => unknown;
}

interface Slot {
  url: URL;
  answer: Promise<RawPage>;
  /** From the headers: the next page's URL, an error that ends the list after this page, or nothing (last page). */
  next?: URL | Org2OrgError;
  linked: boolean;
  advanced: boolean;
}

export async function* pageChain<T>(options: PageChainOptions): AsyncGenerator<T[], void, undefined> {
  const { org, first, listed } = options;
  // A server that links back to a page already read, or never stops linking, would keep this
  // loop (and the token) going forever.
  const seen = new Set<string>();
  const waiting: Slot[] = [];
  let created = 0;
  /** The caller stopped reading (or the list ended in an error): nothing more is asked for. */
  let stopped = false;
  let tail: Slot;
  const link = (slot: Slot, headers: HeaderReader): void => {
    if (slot.linked) return;
    slot.linked = true;
    const next = nextPage(headers, options, seen, created);
    if (next === undefined) return;
    slot.next = next;
    advance();
  };
  const request = (url: URL, urgent: boolean): Slot => {
    // The slot exists before `get` so its headers callback can link it; nothing reads `answer` before it is set.
    const slot = { url, linked: false, advanced: false } as Slot;
    created++;
    slot.answer = options.get(url, urgent, (headers) => link(slot, headers));
    slot.answer.catch(() => undefined); // awaited below, unless the caller stops reading first
    waiting.push(slot);
    tail = slot;
    return slot;
  };
  const advance = (): void => {
    if (stopped || !(tail.next instanceof URL) || tail.advanced || waiting.length >= AHEAD) return;
    tail.advanced = true;
    request(tail.next, true);
  };
  request(first, options.urgent);
  try {
    while (waiting.length > 0) {
      const slot = waiting[0]!;
      const { text, headers } = await slot.answer;
      waiting.shift();
      link(slot, headers); // when no 2xx headers were reported first
      advance();
      const body = options.parse(text);
      if (!Array.isArray(body))
        throw new Org2OrgError(`${org}: GET ${describePath(slot.url === first ? listed : slot.url)} did not answer a list.`);
      yield body as T[];
      // A bad next link ends the list after this page, which the caller still gets.
      if (slot.next instanceof Org2OrgError) throw slot.next;
    }
  } finally {
    stopped = true;
  }
}

/**
 * From a page's headers: the next page's URL (noted as seen), an error that ends the list after
 * this page (a link back to a page already read, one page too many, another origin), or nothing.
 */
function nextPage(headers: HeaderReader, options: PageChainOptions, seen: Set<string>, pages: number): URL | Org2OrgError | undefined {
  const next = nextLink(headers.get('link'));
  if (next === undefined) return undefined;
  const { org, listed } = options;
  try {
    // The next link carries the cursor and the query.
    const url = options.resolve(next);
    if (seen.has(url.href)) {
      return new Org2OrgError(
        `${org}: GET ${describePath(listed)} links back to a page it already answered (${describePath(url)}); stopped reading a list that never ends.`,
      );
    }
    if (pages >= options.maxPages) {
      return new Org2OrgError(
        `${org}: GET ${describePath(listed)} still had a next page after ${pages} pages; stopped reading a list longer than any org has.`,
      );
    }
    seen.add(url.href);
    return url;
  } catch (err) {
    if (!(err instanceof Org2OrgError)) throw err;
    return err;
  }
}

function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}
