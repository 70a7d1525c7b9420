/**
 * The embedded history: the samples the exporter writes to /metrics, kept in memory for range queries without
 * Prometheus. A point per scrape cycle; every series has one ring of values aligned with the ring of cycles.
 *
 * Samples carry their own time, as Prometheus stores them: a series belongs to a clock (the scrape of the node's
 * agent, or the cycle itself), and a clock keeps one time per cycle. So a node scraped 2 s into a cycle has its
 * samples at that time, exactly the timestamps /metrics gives Prometheus, and rates computed from either match.
 * Gauges are kept as 32-bit floats (counts and ratios lose nothing that matters); counters keep their cumulative
 * value as 64-bit floats, exact up to 2^53, so increases and resets are computed as Prometheus computes them.
 *
 * A hard byte budget bounds it: when new series would exceed it, the ring's capacity halves (retention shrinks, the
 * newest points are kept); below a floor of points, new series are refused and counted.
 */

export type Labels = Readonly<Record<string, string>>;

export interface HistoryStats {
  series: number;
  bytes: number;
  capacityPoints: number;
  retentionMs: number;
  droppedSeries: number;
  oldestMs: number | null;
}

/** Writes samples at one clock's time in the point being written. */
export interface SampleWriter {
  /** A gauge sample (kept as a 32-bit float). */
  put(metric: string, labels: Labels, value: number): void;
  /** A counter's cumulative value (kept as a 64-bit float). */
  putCounter(metric: string, labels: Labels, value: number): void;
}

export interface HistoryWriter extends SampleWriter {
  /**
   * A writer for the samples of one source (e.g. `agent/<node>`) taken at `time` in this point. A series is always
   * written through the same source; the plain put/putCounter write at the cycle's own time.
   */
  at(source: string, time: number): SampleWriter;
  commit(): void;
}

/** A series of a selection: its ring of values and its clock's ring of times, both indexed by slot. */
export interface SeriesView {
  metric: string;
  labels: Labels;
  values: ArrayLike<number>;
  times: ArrayLike<number>;
}

export interface Selection {
  /** Ring slots that may hold samples in the selected time range, oldest first. */
  slots: Int32Array;
  series: SeriesView[];
}

interface Clock {
  key: string;
  times: Float64Array;
}

interface Series {
  metric: string;
  labels: Labels;
  labelCount: number;
  values: Float32Array | Float64Array;
  clock: Clock;
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
const CYCLE_CLOCK = '';

export class RingHistory {
  private capacity: number;
  /** Index of the next slot to write, and how many slots hold points. */
  private head = 0;
  private count = 0;
  private readonly series = new Map<string, Series>();
  private readonly byMetric = new Map<string, Set<Series>>();
  private readonly clocks = new Map<string, Clock>();
  private readonly cycle: Clock;
  /** Bytes per point of every series' values (4 for a gauge, 8 for a counter). */
  private valueBytesPerPoint = 0;
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
    this.cycle = { key: CYCLE_CLOCK, times: new Float64Array(this.capacity) };
    this.clocks.set(CYCLE_CLOCK, this.cycle);
  }

  begin(t: number): HistoryWriter {
    this.cycle.times[this.head] = t;
    for (const c of this.clocks.values()) {
      if (c !== this.cycle) {
        c.times[this.head] = NaN;
      }
    }
    for (const s of this.series.values()) {
      s.values[this.head] = NaN;
    }
    this.collectedThisPoint = false;
    this.previousOrder = this.currentOrder;
    this.currentOrder = [];
    this.cursor = 0;
    let committed = false;
    const writer = (clockKey: string): SampleWriter => {
      const write = (counter: boolean) => (metric: string, labels: Labels, value: number) => {
        if (committed) {
          throw new Error('history point already committed');
        }
        const s = this.find(metric, labels, clockKey, counter);
        if (s) {
          // The point being written is always at head (a shrink moves it there), never at a stale index.
          s.values[this.head] = value;
        }
      };
      return { put: write(false), putCounter: write(true) };
    };
    const cycleWriter = writer(CYCLE_CLOCK);
    return {
      ...cycleWriter,
      at: (source, time) => {
        if (committed) {
          throw new Error('history point already committed');
        }
        this.clockFor(source).times[this.head] = time;
        return writer(source);
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

  /** Series of `metric` whose labels pass `match`, with the slots that may hold their samples in [from, to]. */
  select(metric: string, match: (labels: Labels) => boolean, from: number, to: number): Selection {
    const slots = Int32Array.from(this.slotsBetween(from, to));
    const series: SeriesView[] = [];
    for (const s of this.byMetric.get(metric) ?? []) {
      if (match(s.labels)) {
        series.push({ metric, labels: s.labels, values: s.values, times: s.clock.times });
      }
    }
    return { slots, series };
  }

  /** Label values seen for `label` on `metric`. */
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

  stats(): HistoryStats {
    const oldestSlot = this.count < this.capacity ? 0 : this.head;
    return {
      series: this.series.size,
      bytes: this.bytesFor(this.valueBytesPerPoint, this.series.size, this.capacity),
      capacityPoints: this.capacity,
      retentionMs: this.capacity * this.options.intervalMs,
      droppedSeries: this.dropped,
      oldestMs: this.count > 0 ? this.cycle.times[oldestSlot] : null,
    };
  }

  /**
   * Slots whose samples may lie in [from, to], oldest first: a sample is taken during its cycle, so at or after
   * the cycle's start and before the next one's; the slot of the last cycle starting at or before `from` is kept.
   */
  private slotsBetween(from: number, to: number): number[] {
    const slots: number[] = [];
    const first = (this.head - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const slot = (first + i) % this.capacity;
      const t = this.cycle.times[slot];
      if (t > to) {
        break;
      }
      if (t <= from) {
        slots.length = 0;
      }
      slots.push(slot);
    }
    return slots;
  }

  private bytesFor(valueBytesPerPoint: number, seriesCount: number, capacity: number): number {
    return capacity * (valueBytesPerPoint + 8 * this.clocks.size) + seriesCount * BYTES_PER_SERIES_OVERHEAD;
  }

  private clockFor(key: string): Clock {
    let c = this.clocks.get(key);
    if (!c) {
      c = { key, times: new Float64Array(this.capacity).fill(NaN) };
      this.clocks.set(key, c);
    }
    return c;
  }

  /** The series for a put: the one after the previous put's in the last point's order, or found by key. */
  private find(metric: string, labels: Labels, clockKey: string, counter: boolean): Series | null {
    const guess = this.previousOrder[this.cursor];
    const s =
      guess && !guess.removed && guess.metric === metric && sameLabels(guess, labels)
        ? guess
        : this.seriesFor(metric, labels, clockKey, counter);
    if (!s) {
      return null;
    }
    if (s !== guess) {
      // Out of step (a series appeared or went away): continue after this series' place in the last point.
      this.cursor = this.previousOrder[s.order] === s ? s.order + 1 : this.cursor;
    } else {
      this.cursor++;
    }
    if (s.clock.key !== clockKey) {
      s.clock = this.clockFor(clockKey);
    }
    s.order = this.currentOrder.length;
    this.currentOrder.push(s);
    return s;
  }

  private seriesFor(metric: string, labels: Labels, clockKey: string, counter: boolean): Series | null {
    const key = seriesKey(metric, labels);
    const existing = this.series.get(key);
    if (existing) {
      return existing;
    }
    const bytesPerPoint = counter ? 8 : 4;
    while (
      this.bytesFor(this.valueBytesPerPoint + bytesPerPoint, this.series.size + 1, this.capacity) >
      this.options.maxBytes
    ) {
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
    const values = (counter ? new Float64Array(this.capacity) : new Float32Array(this.capacity)).fill(NaN);
    const copy = { ...labels };
    const s: Series = {
      metric,
      labels: copy,
      labelCount: Object.keys(copy).length,
      values,
      clock: this.clockFor(clockKey),
      order: -1,
      removed: false,
    };
    this.series.set(key, s);
    this.valueBytesPerPoint += bytesPerPoint;
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
    const keep = <T extends Float32Array | Float64Array>(from: T, to: T): T => {
      order.forEach((slot, i) => (to[i] = from[slot]));
      return to;
    };
    for (const c of this.clocks.values()) {
      c.times = keep(c.times, new Float64Array(next));
    }
    for (const s of this.series.values()) {
      s.values =
        s.values instanceof Float64Array
          ? keep(s.values, new Float64Array(next))
          : keep(s.values, new Float32Array(next));
    }
    this.count = Math.min(this.count, next - 1);
    this.capacity = next;
    this.head = next - 1;
    return true;
  }

  /** Forgets series without a single value in the ring (a node or a drop reason that went away), and their clocks. */
  private collectDeadSeries(): number {
    let removed = 0;
    for (const [key, s] of this.series) {
      if (s.values.every((v) => Number.isNaN(v))) {
        s.removed = true;
        this.series.delete(key);
        this.byMetric.get(s.metric)?.delete(s);
        this.valueBytesPerPoint -= s.values instanceof Float64Array ? 8 : 4;
        removed++;
      }
    }
    for (const [key, c] of this.clocks) {
      if (c !== this.cycle && c.times.every((t) => Number.isNaN(t))) {
        this.clocks.delete(key);
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

/** A selected series' samples within [from, to] as plain arrays (tests, and code that reads few points). */
export function samplesOf(
  view: SeriesView,
  slots: ArrayLike<number>,
  from = -Infinity,
  to = Infinity
): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < slots.length; k++) {
    const t = view.times[slots[k]];
    const v = view.values[slots[k]];
    if (t >= from && t <= to && !Number.isNaN(v)) {
      times.push(t);
      values.push(v);
    }
  }
  return { times, values };
}

export function seriesKey(metric: string, labels: Labels): string {
  let key = metric;
  for (const name of Object.keys(labels).sort()) {
    key += '\u0000' + name + '\u0001' + labels[name];
  }
  return key;
}
