/**
 * Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi 2005) over weighted updates, with uniform exponential
 * decay: at most `capacity` keys are held, whatever the number of distinct keys that arrive.
 *
 * Adding weight w to a key that is held adds w to its count. Adding it to a key that is not held, when the summary
 * is full, replaces the key with the smallest count c_min: the new key starts at c_min + w with error c_min. Hence,
 * with N the total weight added (decayed like the counts):
 * - every count overestimates its key's true (decayed) weight by at most its `error`, and error ≤ c_min ≤ N / capacity;
 * - every key whose true weight exceeds N / capacity is held;
 * - the keys held with count − error ≥ the k-th largest count are certainly among the true top k.
 * Decay multiplies every count, every error and N by the same factor, so the order and these bounds survive it.
 *
 * The keys are kept in a binary min-heap on count: an update or a replacement costs O(log capacity).
 */

export interface SummaryEntry<T> {
  readonly key: string;
  /** Estimated (decayed) weight of the key: at least its true weight, at most true weight + error. */
  count: number;
  /** Overestimation bound of `count`: the count of the entry it replaced (0 when it never replaced one). */
  error: number;
  /** What the caller keeps with the key. */
  value: T;
  /** Position in the heap. */
  slot: number;
}

export class SpaceSaving<T> {
  private readonly heap: Array<SummaryEntry<T>> = [];
  private readonly byKey = new Map<string, SummaryEntry<T>>();
  private totalWeight = 0;
  private replaced = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.heap.length;
  }

  /** Total weight added (decayed like the counts): the N of the error bound. */
  get total(): number {
    return this.totalWeight;
  }

  /** Keys replaced since the summary was created. */
  get evictions(): number {
    return this.replaced;
  }

  /** The largest possible overestimation of any count now: the smallest count when full, else 0. */
  get errorBound(): number {
    return this.heap.length < this.capacity ? 0 : this.heap[0].count;
  }

  get(key: string): SummaryEntry<T> | undefined {
    return this.byKey.get(key);
  }

  /**
   * Adds `weight` (> 0) to `key`. A key not held gets a new value from `create`; when it replaces another key,
   * `onEvict` sees the replaced entry first.
   */
  add(key: string, weight: number, create: () => T, onEvict?: (evicted: SummaryEntry<T>) => void): SummaryEntry<T> {
    this.totalWeight += weight;
    const held = this.byKey.get(key);
    if (held) {
      held.count += weight;
      this.siftDown(held.slot);
      return held;
    }
    if (this.heap.length < this.capacity) {
      const entry: SummaryEntry<T> = { key, count: weight, error: 0, value: create(), slot: this.heap.length };
      this.heap.push(entry);
      this.byKey.set(key, entry);
      this.siftUp(entry.slot);
      return entry;
    }
    const min = this.heap[0];
    onEvict?.(min);
    this.byKey.delete(min.key);
    this.replaced++;
    const entry: SummaryEntry<T> = { key, count: min.count + weight, error: min.count, value: create(), slot: 0 };
    this.heap[0] = entry;
    this.byKey.set(key, entry);
    this.siftDown(0);
    return entry;
  }

  /** Multiplies every count, error and the total by `factor` (0 < factor ≤ 1). */
  decay(factor: number): void {
    if (factor === 1) {
      return;
    }
    this.totalWeight *= factor;
    for (const entry of this.heap) {
      entry.count *= factor;
      entry.error *= factor;
    }
  }

  /** Every entry held, in no particular order. */
  entries(): ReadonlyArray<SummaryEntry<T>> {
    return this.heap;
  }

  /** The k entries with the largest counts (of those `eligible` accepts), largest first; ties by key, so the choice is stable. */
  top(k: number, eligible?: (entry: SummaryEntry<T>) => boolean): Array<SummaryEntry<T>> {
    return (eligible ? this.heap.filter(eligible) : [...this.heap]).sort(byCountThenKey).slice(0, Math.max(0, k));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entry = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].count <= entry.count) {
        break;
      }
      heap[i] = heap[parent];
      heap[i].slot = i;
      i = parent;
    }
    heap[i] = entry;
    entry.slot = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i];
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) {
        break;
      }
      const right = left + 1;
      const child = right < n && heap[right].count < heap[left].count ? right : left;
      if (heap[child].count >= entry.count) {
        break;
      }
      heap[i] = heap[child];
      heap[i].slot = i;
      i = child;
    }
    heap[i] = entry;
    entry.slot = i;
  }
}

export function byCountThenKey<T>(a: SummaryEntry<T>, b: SummaryEntry<T>): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
