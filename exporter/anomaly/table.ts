/**
 * Storage of the detector's per-series state: one slot per node × direction × reason, its fields in typed arrays
 * (struct of arrays) so that a series costs a few dozen bytes and no object of its own. Direction × reason pairs
 * are interned once for the whole cluster; each node maps a pair's id to its slot through a small Int32Array.
 * Freed slots are reused; the table grows by doubling up to a hard maximum.
 */
import { grown } from './grown';

/** Bytes of typed-array state per slot (sum of the element sizes of the arrays below). */
export const BYTES_PER_SLOT = 4 * 12 + 2 + 2;

/** The pending interval was part of an anomaly (it is learnt clipped). */
export const FLAG_PENDING_ANOMALOUS = 1;
/** The last interval could open a run (above the band with the lower floor). */
export const FLAG_PREV_LEAD = 2;
/** The current run of intervals above the band was opened by such an interval. */
export const FLAG_RUN_LED = 4;
/** The pending interval directly follows an anomalous one (it may hold the anomaly's tail). */
export const FLAG_PENDING_AFTER_ANOMALY = 8;
/** The pending interval belongs to the first quarter window of an anomaly (by its heat): it is not learnt. */
export const FLAG_PENDING_HELD = 16;

export interface NodeEntry {
  id: number;
  name: string;
  /** Slot of each interned pair id, -1 when the node has no such series. */
  slots: Int32Array;
  /** When the node's first rates were seen (restored state keeps the original time). */
  firstSeenMs: number;
  /** Detector cycle of the node's last observation. */
  lastCycle: number;
  /** Observations of the node (saturates): a series that appears later has been 0 for about this many intervals. */
  observations: number;
  series: number;
}

export class SeriesTable {
  capacity = 0;
  /** Slots in use. */
  used = 0;
  /** Slot index below which every slot has been handed out at least once. */
  private highWater = 0;
  private freeList: number[] = [];

  nodeId = new Int32Array(0);
  keyId = new Int32Array(0);
  /** Baseline: weighted mean of the rate, packets/s. */
  mean = new Float32Array(0);
  /** Weighted variance of the rate around the baseline. */
  variance = new Float32Array(0);
  /** Intervals learnt (saturates). */
  count = new Uint32Array(0);
  /** The last interval's rate, learnt at the next scrape (NaN: nothing pending). */
  pending = new Float32Array(0);
  rate = new Float32Array(0);
  baseline = new Float32Array(0);
  band = new Float32Array(0);
  score = new Float32Array(0);
  /** Detector cycle of the last observation (0: never). */
  lastCycle = new Uint32Array(0);
  /** Unix seconds of the last observation. */
  lastSeen = new Uint32Array(0);
  streak = new Uint8Array(0);
  /** Recent anomaly time: +4 per anomalous interval, −1 per other one (so flapping still accumulates). */
  heat = new Uint16Array(0);
  flags = new Uint8Array(0);

  /** direction → reason → pair id. */
  private readonly pairIds = new Map<string, Map<string, number>>();
  readonly pairDirection: string[] = [];
  readonly pairReason: string[] = [];
  private readonly nodesByName = new Map<string, NodeEntry>();
  private readonly nodesById: Array<NodeEntry | undefined> = [];
  private freeNodeIds: number[] = [];

  constructor(readonly maxSlots: number) {}

  pairId(direction: string, reason: string): number {
    let byReason = this.pairIds.get(direction);
    if (!byReason) {
      byReason = new Map();
      this.pairIds.set(direction, byReason);
    }
    let id = byReason.get(reason);
    if (id === undefined) {
      id = this.pairDirection.length;
      byReason.set(reason, id);
      this.pairDirection.push(direction);
      this.pairReason.push(reason);
    }
    return id;
  }

  pairs(): number {
    return this.pairDirection.length;
  }

  node(name: string): NodeEntry | undefined {
    return this.nodesByName.get(name);
  }

  nodeById(id: number): NodeEntry | undefined {
    return this.nodesById[id];
  }

  nodes(): IterableIterator<NodeEntry> {
    return this.nodesByName.values();
  }

  addNode(name: string, firstSeenMs: number): NodeEntry {
    const existing = this.nodesByName.get(name);
    if (existing) {
      return existing;
    }
    const id = this.freeNodeIds.pop() ?? this.nodesById.length;
    const entry: NodeEntry = {
      id,
      name,
      slots: new Int32Array(Math.max(8, this.pairs())).fill(-1),
      firstSeenMs,
      lastCycle: 0,
      observations: 0,
      series: 0,
    };
    this.nodesByName.set(name, entry);
    this.nodesById[id] = entry;
    return entry;
  }

  removeNode(entry: NodeEntry): void {
    for (let p = 0; p < entry.slots.length; p++) {
      if (entry.slots[p] >= 0) {
        this.release(entry.slots[p]);
      }
    }
    this.nodesByName.delete(entry.name);
    this.nodesById[entry.id] = undefined;
    this.freeNodeIds.push(entry.id);
  }

  slotOf(entry: NodeEntry, pair: number): number {
    return pair < entry.slots.length ? entry.slots[pair] : -1;
  }

  /** A fresh slot for the node's pair, or -1 when the table is full. */
  allocate(entry: NodeEntry, pair: number): number {
    if (this.used >= this.maxSlots) {
      return -1;
    }
    let slot = this.freeList.pop();
    if (slot === undefined) {
      if (this.highWater >= this.capacity) {
        this.grow();
      }
      slot = this.highWater++;
    }
    if (pair >= entry.slots.length) {
      const bigger = new Int32Array(Math.max(pair + 1, entry.slots.length * 2)).fill(-1);
      bigger.set(entry.slots);
      entry.slots = bigger;
    }
    entry.slots[pair] = slot;
    entry.series++;
    this.used++;
    this.nodeId[slot] = entry.id;
    this.keyId[slot] = pair;
    this.mean[slot] = 0;
    this.variance[slot] = 0;
    this.count[slot] = 0;
    this.pending[slot] = NaN;
    this.rate[slot] = 0;
    this.baseline[slot] = 0;
    this.band[slot] = 0;
    this.score[slot] = 0;
    this.lastCycle[slot] = 0;
    this.lastSeen[slot] = 0;
    this.streak[slot] = 0;
    this.heat[slot] = 0;
    this.flags[slot] = 0;
    return slot;
  }

  /** Frees a slot (and unlinks it from its node). */
  release(slot: number): void {
    const entry = this.nodesById[this.nodeId[slot]];
    if (entry && entry.slots[this.keyId[slot]] === slot) {
      entry.slots[this.keyId[slot]] = -1;
      entry.series--;
    }
    this.nodeId[slot] = -1;
    this.lastCycle[slot] = 0;
    this.freeList.push(slot);
    this.used--;
  }

  /** Whether a slot index holds a live series. */
  live(slot: number): boolean {
    return slot < this.highWater && this.nodeId[slot] >= 0;
  }

  /** Upper bound (exclusive) of the slot indexes ever handed out. */
  get end(): number {
    return this.highWater;
  }

  /** Bytes held by the typed arrays and the per-node slot maps. */
  bytes(): number {
    let nodeMaps = 0;
    for (const n of this.nodesByName.values()) {
      nodeMaps += n.slots.byteLength + 64;
    }
    return this.capacity * BYTES_PER_SLOT + nodeMaps;
  }

  private grow(): void {
    const next = Math.min(this.maxSlots, Math.max(64, this.capacity * 2));
    this.nodeId = grown(this.nodeId, next);
    this.keyId = grown(this.keyId, next);
    this.mean = grown(this.mean, next);
    this.variance = grown(this.variance, next);
    this.count = grown(this.count, next);
    this.pending = grown(this.pending, next);
    this.rate = grown(this.rate, next);
    this.baseline = grown(this.baseline, next);
    this.band = grown(this.band, next);
    this.score = grown(this.score, next);
    this.lastCycle = grown(this.lastCycle, next);
    this.lastSeen = grown(this.lastSeen, next);
    this.streak = grown(this.streak, next);
    this.heat = grown(this.heat, next);
    this.flags = grown(this.flags, next);
    this.capacity = next;
  }
}
