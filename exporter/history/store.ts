/**
 * The history of the aggregated series, so range queries work without Prometheus.
 *
 * `HistoryStore` is the interface the query layer reads; `RingHistory` is the embedded implementation: one shared
 * ring of timestamps (every series is written once per scrape cycle) and one Float32Array ring of values per
 * series, aligned with it. Values are rates and gauges (counters are turned into per-second rates before they
 * get here), so 32-bit floats lose nothing that matters and halve the memory. A hard byte budget bounds it:
 * when new series would exceed it, the ring's capacity halves (retention shrinks, the newest points are kept);
 * below a floor of points, new series are refused and counted.
 */

export type Labels = Readonly<Record<string, string>>;

export interface SeriesRange {
  metric: string;
  labels: Labels;
  /** Point times (Unix ms, ascending) and values; points without a value are left out. */
  times: number[];
  values: number[];
}

export interface HistoryStats {
  backend: string;
  series: number;
  bytes: number;
  capacityPoints: number;
  retentionMs: number;
  droppedSeries: number;
  oldestMs: number | null;
}

export interface HistoryWriter {
  put(metric: string, labels: Labels, value: number): void;
  commit(): void;
}

export interface HistoryStore {
  /** Starts the point at time t; every put before commit belongs to it. */
  begin(t: number): HistoryWriter;
  /** Series of `metric` whose labels pass `match`, with their points in [from, to]. */
  select(metric: string, match: (labels: Labels) => boolean, from: number, to: number): SeriesRange[];
  /** Label values seen for `label` on `metric` (for template variables). */
  labelValues(metric: string, label: string): string[];
  /** Times of the first and last point within [from, to], or null when there is none (identifies what a range selects). */
  pointRange(from: number, to: number): [number, number] | null;
  stats(): HistoryStats;
}

interface Series {
  metric: string;
  labels: Labels;
  labelCount: number;
  values: Float32Array;
  /** Position in the write order of the last point that wrote it (see `find`). */
  order: number;
  /** Removed from the store (dead or refused): a stale reference must not be written. */
  removed: boolean;
}

export interface RingHistoryOptions {
  retentionMs: number;
  /** Nominal time between points (the scrape interval). */
  intervalMs: number;
  maxBytes: number;
  /** Capacity never shrinks below this many points. */
  minPoints?: number;
}

const BYTES_PER_SERIES_OVERHEAD = 256;

export class RingHistory implements HistoryStore {
  private capacity: number;
  private times: Float64Array;
  /** Index of the next slot to write, and how many slots hold points. */
  private head = 0;
  private count = 0;
  private readonly series = new Map<string, Series>();
  private readonly byMetric = new Map<string, Set<Series>>();
  private dropped = 0;
  private collectedThisPoint = false;
  private readonly minPoints: number;
  /**
   * Series in the order the previous and the current point wrote them. Every cycle writes the same series in the
   * same order, so the next put is almost always the series after the last one: checking that is a few
   * comparisons, where building and hashing a key string for each of ~100k puts a cycle was most of the cost.
   */
  private previousOrder: Series[] = [];
  private currentOrder: Series[] = [];
  private cursor = 0;

  constructor(private readonly options: RingHistoryOptions) {
    this.capacity = Math.max(2, Math.ceil(options.retentionMs / options.intervalMs));
    this.minPoints = Math.min(this.capacity, options.minPoints ?? 20);
    this.times = new Float64Array(this.capacity);
  }

  begin(t: number): HistoryWriter {
    const slot = this.head;
    this.times[slot] = t;
    for (const s of this.series.values()) {
      s.values[slot] = NaN;
    }
    this.collectedThisPoint = false;
    this.previousOrder = this.currentOrder;
    this.currentOrder = [];
    this.cursor = 0;
    let committed = false;
    return {
      put: (metric, labels, value) => {
        if (committed) {
          throw new Error('history point already committed');
        }
        const s = this.find(metric, labels);
        if (s) {
          // The point being written is always at head (a shrink moves it there), never at a stale index.
          s.values[this.head] = value;
        }
      },
      commit: () => {
        if (committed) {
          return;
        }
        committed = true;
        this.head = (this.head + 1) % this.capacity;
        this.count = Math.min(this.count + 1, this.capacity);
        if (this.head === 0) {
          this.collectDeadSeries();
        }
      },
    };
  }

  select(metric: string, match: (labels: Labels) => boolean, from: number, to: number): SeriesRange[] {
    const set = this.byMetric.get(metric);
    if (!set) {
      return [];
    }
    const slotList = this.slotsBetween(from, to);
    const slots = Int32Array.from(slotList);
    const times = Float64Array.from(slotList, (slot) => this.times[slot]);
    const out: SeriesRange[] = [];
    for (const s of set) {
      if (match(s.labels)) {
        out.push(new RingSeriesRange(metric, s.labels, s.values, slots, times));
      }
    }
    return out;
  }

  labelValues(metric: string, label: string): string[] {
    const values = new Set<string>();
    for (const s of this.byMetric.get(metric) ?? []) {
      const v = s.labels[label];
      if (v !== undefined) {
        values.add(v);
      }
    }
    return [...values].sort();
  }

  pointRange(from: number, to: number): [number, number] | null {
    const slots = this.slotsBetween(from, to);
    return slots.length ? [this.times[slots[0]], this.times[slots[slots.length - 1]]] : null;
  }

  stats(): HistoryStats {
    const oldestSlot = this.count < this.capacity ? 0 : this.head;
    return {
      backend: 'embedded',
      series: this.series.size,
      bytes: this.bytesFor(this.series.size, this.capacity),
      capacityPoints: this.capacity,
      retentionMs: this.capacity * this.options.intervalMs,
      droppedSeries: this.dropped,
      oldestMs: this.count > 0 ? this.times[oldestSlot] : null,
    };
  }

  /** Slots whose time lies in [from, to], oldest first. */
  private slotsBetween(from: number, to: number): number[] {
    const slots: number[] = [];
    const first = (this.head - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const slot = (first + i) % this.capacity;
      const t = this.times[slot];
      if (t >= from && t <= to) {
        slots.push(slot);
      }
    }
    return slots;
  }

  private bytesFor(seriesCount: number, capacity: number): number {
    return seriesCount * (capacity * 4 + BYTES_PER_SERIES_OVERHEAD) + capacity * 8;
  }

  /** The series for a put: the one after the previous put's in the last point's order, or found by key. */
  private find(metric: string, labels: Labels): Series | null {
    const guess = this.previousOrder[this.cursor];
    const s =
      guess && !guess.removed && guess.metric === metric && sameLabels(guess, labels)
        ? guess
        : this.seriesFor(metric, labels);
    if (!s) {
      return null;
    }
    if (s !== guess) {
      // Out of step (a series appeared or went away): continue after this series' place in the last point.
      this.cursor = this.previousOrder[s.order] === s ? s.order + 1 : this.cursor;
    } else {
      this.cursor++;
    }
    s.order = this.currentOrder.length;
    this.currentOrder.push(s);
    return s;
  }

  private seriesFor(metric: string, labels: Labels): Series | null {
    const key = seriesKey(metric, labels);
    const existing = this.series.get(key);
    if (existing) {
      return existing;
    }
    while (this.bytesFor(this.series.size + 1, this.capacity) > this.options.maxBytes) {
      // One sweep per point at most: a full store must not rescan everything for every new series.
      if (!this.collectedThisPoint) {
        this.collectedThisPoint = true;
        if (this.collectDeadSeries() > 0) {
          continue;
        }
      }
      if (this.capacity <= this.minPoints || !this.shrink()) {
        this.dropped++;
        return null;
      }
    }
    const values = new Float32Array(this.capacity).fill(NaN);
    const copy = { ...labels };
    const s: Series = { metric, labels: copy, labelCount: Object.keys(copy).length, values, order: -1, removed: false };
    this.series.set(key, s);
    let set = this.byMetric.get(metric);
    if (!set) {
      set = new Set();
      this.byMetric.set(metric, set);
    }
    set.add(s);
    return s;
  }

  /** Halves the capacity, keeping the newest points in order. Only between points (the current slot is written last). */
  private shrink(): boolean {
    const next = Math.max(this.minPoints, Math.floor(this.capacity / 2));
    if (next >= this.capacity) {
      return false;
    }
    // The point being written is at `head`; keep it plus the newest next-1 committed points.
    const order: number[] = [];
    for (let i = next - 1; i >= 1; i--) {
      order.push((this.head - i + this.capacity) % this.capacity);
    }
    order.push(this.head);
    const times = new Float64Array(next);
    order.forEach((slot, i) => (times[i] = this.times[slot]));
    for (const s of this.series.values()) {
      const values = new Float32Array(next);
      order.forEach((slot, i) => (values[i] = s.values[slot]));
      s.values = values;
    }
    this.times = times;
    this.count = Math.min(this.count, next - 1);
    this.capacity = next;
    this.head = next - 1;
    return true;
  }

  /** Forgets series without a single value in the ring (a node or a drop reason that went away). */
  private collectDeadSeries(): number {
    let removed = 0;
    for (const [key, s] of this.series) {
      if (s.values.every((v) => Number.isNaN(v))) {
        s.removed = true;
        this.series.delete(key);
        this.byMetric.get(s.metric)?.delete(s);
        removed++;
      }
    }
    return removed;
  }
}

function sameLabels(s: Series, labels: Labels): boolean {
  let n = 0;
  for (const name in labels) {
    if (s.labels[name] !== labels[name]) {
      return false;
    }
    n++;
  }
  return n === s.labelCount;
}

/**
 * A selected series as a view of the ring: the points are read from the ring's values at the selected slots (shared
 * by every series of the selection, like their times), not copied per series. `times` and `values` (the points that
 * have a value) are built on first use; the query layer's step reduction reads the ring directly (`valueAt`).
 * A view is read within the request that selected it: the next cycle writes the ring.
 */
export class RingSeriesRange implements SeriesRange {
  private compact: { times: number[]; values: number[] } | null = null;

  constructor(
    readonly metric: string,
    readonly labels: Labels,
    /** The series' ring of values (read, never written, through the view). */
    readonly ring: Float32Array,
    /** Ring slots of the selected points, oldest first (shared by the selection). */
    readonly slots: Int32Array,
    /** Their times (shared). */
    readonly pointTimes: Float64Array
  ) {}

  /** The value at the k-th selected point, NaN where the series has none. */
  valueAt(k: number): number {
    return this.ring[this.slots[k]];
  }

  get times(): number[] {
    return this.points().times;
  }

  get values(): number[] {
    return this.points().values;
  }

  private points(): { times: number[]; values: number[] } {
    if (!this.compact) {
      const times: number[] = [];
      const values: number[] = [];
      for (let k = 0; k < this.slots.length; k++) {
        const v = this.ring[this.slots[k]];
        if (!Number.isNaN(v)) {
          times.push(this.pointTimes[k]);
          values.push(v);
        }
      }
      this.compact = { times, values };
    }
    return this.compact;
  }
}

export function seriesKey(metric: string, labels: Labels): string {
  let key = metric;
  for (const name of Object.keys(labels).sort()) {
    key += '\u0000' + name + '\u0001' + labels[name];
  }
  return key;
}
