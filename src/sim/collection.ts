/**
 * An ordered collection with opaque cursors, as Okta pages: items keep insertion order,
 * the cursor (`after`) is the insertion sequence of the last item returned, so paging stays
 * correct while items are added or removed between pages.
 */
export interface Sequenced {
  id: string;
  seq: number;
}

export class Collection<T extends Sequenced> {
  private readonly byId = new Map<string, T>();
  private ordered: T[] = [];
  private removed = 0;
  private nextSeq = 1;

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds an item; its `seq` is assigned here. */
  add(item: T): T {
    item.seq = this.nextSeq++;
    this.byId.set(item.id, item);
    this.ordered.push(item);
    return item;
  }

  delete(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.removed++;
    return true;
  }

  values(): T[] {
    this.compact();
    return this.ordered;
  }

  /**
   * Up to `limit` items after the cursor that pass `match`; `next` is the cursor of the next
   * page or undefined when this is the last one.
   */
  page(after: string | undefined, limit: number, match?: (item: T) => boolean): { items: T[]; next?: string } {
    this.compact();
    const start = after === undefined ? 0 : this.indexAfter(decodeCursor(after));
    const items: T[] = [];
    let i = start;
    for (; i < this.ordered.length; i++) {
      const item = this.ordered[i]!;
      if (match && !match(item)) continue;
      if (items.length === limit) return { items, next: encodeCursor(items[items.length - 1]!.seq) };
      items.push(item);
    }
    return { items };
  }

  /**
   * Like `page`, over a known subset of this collection's items (an index lookup), so a search
   * that names its results doesn't scan the whole collection.
   */
  pageSubset(subset: Iterable<T>, after: string | undefined, limit: number): { items: T[]; next?: string } {
    const from = after === undefined ? 0 : decodeCursor(after);
    const sorted = [...new Set(subset)].filter((item) => item.seq > from && this.byId.get(item.id) === item).sort((a, b) => a.seq - b.seq);
    if (sorted.length <= limit) return { items: sorted };
    const items = sorted.slice(0, limit);
    return { items, next: encodeCursor(items[items.length - 1]!.seq) };
  }

  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ordered[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    if (this.removed === 0) return;
    this.ordered = this.ordered.filter((item) => this.byId.get(item.id) === item);
    this.removed = 0;
  }
}

function encodeCursor(seq: number): string {
  return 'c' + seq.toString(36);
}

function decodeCursor(cursor: string): number {
  const n = /^c[0-9a-z]+$/.test(cursor) ? parseInt(cursor.slice(1), 36) : NaN;
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}
