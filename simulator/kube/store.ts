/**
 * The simulated API server's storage: one record per object with the resourceVersion of its last change, one
 * resourceVersion counter across all resources (as etcd has), and a bounded log of recent events per resource that
 * watches replay from.
 *
 * The store follows the cluster model: after every tick (and before answering a request, when the model changed)
 * it compares the model with its records and turns the differences into ADDED, MODIFIED and DELETED events. It does
 * nothing until the first Kubernetes request, so a simulator whose API is never called pays nothing for it.
 */
import type { SimulatedCluster } from '../cluster';
import { countAtOrBefore } from '../sorted';
import {
  ciliumEndpointType,
  type KubeRecord,
  type KubeResource,
  nodeType,
  podType,
  type ResourceType,
  type Snapshot,
} from './objects';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly rv: number;
  readonly record: KubeRecord;
  /** The object before a MODIFIED event (watches with selectors turn transitions into ADDED or DELETED). */
  readonly previous: KubeRecord | null;
  /** The event as one line of a watch response, written once and shared by every watch that sends it. */
  line?: string;
}

/** A watch, as the store sees it. */
export interface StoreSubscriber {
  events(batch: readonly StoreEvent[]): void;
  /** After a sync that moved the resourceVersion, whether or not this resource changed (for bookmarks). */
  synced(resourceVersion: number): void;
}

export const DEFAULT_EVENT_LOG_SIZE = 10_000;
export const MAX_EVENT_LOG_SIZE = 1_000_000;

interface Entry {
  record: KubeRecord;
  /** The sync that last found the object in the model. */
  seen: number;
  /** Removed from the store (its model object, if it comes back, starts a new entry). */
  gone: boolean;
}

/** One resource's objects, event log and watches. */
export class ResourceStore {
  readonly entries = new Map<string, Entry>();
  /**
   * Each entry is also attached to its model object under this store's own symbol, so that a sync finds an unchanged
   * object with one property read (a WeakMap lookup costs fifteen times more, and a sync visits every object).
   */
  private readonly slot = Symbol('kube-store-entry');
  log: StoreEvent[] = [];
  /** Watches from a resourceVersion below this one miss events: they are answered 410 Expired. */
  compactedThrough = 0;
  readonly subscribers = new Set<StoreSubscriber>();
  private sortedKeys: string[] | null = null;

  constructor(readonly type: ResourceType<unknown, unknown>) {}

  entryOf(identity: object): Entry | undefined {
    return (identity as Record<symbol, Entry | undefined>)[this.slot];
  }

  attach(identity: object, entry: Entry): void {
    (identity as Record<symbol, Entry | undefined>)[this.slot] = entry;
  }

  records(): KubeRecord[] {
    const out: KubeRecord[] = [];
    for (const entry of this.entries.values()) {
      out.push(entry.record);
    }
    return out;
  }

  get(key: string): KubeRecord | undefined {
    return this.entries.get(key)?.record;
  }

  /** Keys in the order etcd lists them (byte order of "namespace/name"), for paginated lists. */
  keysInOrder(): string[] {
    this.sortedKeys ??= [...this.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sortedKeys;
  }

  membershipChanged(): void {
    this.sortedKeys = null;
  }

  /** Events after `rv`, oldest first. */
  eventsAfter(rv: number): StoreEvent[] {
    return this.log.slice(countAtOrBefore(this.log.length, (i) => this.log[i].rv <= rv));
  }
}

export interface KubeStoreOptions {
  ciliumEndpointCRD: boolean;
  eventLogSize?: number;
}

export type WatchStart = { events: StoreEvent[] } | { expired: string };

export class KubeStore {
  private rv = 0;
  private started = false;
  private syncedGeneration = -1;
  private epoch = 0;
  private readonly eventLogSize: number;
  private readonly resources = new Map<KubeResource, ResourceStore>();
  private unsubscribeTick: (() => void) | null = null;

  constructor(
    private readonly cluster: SimulatedCluster,
    options: KubeStoreOptions
  ) {
    const size = options.eventLogSize ?? DEFAULT_EVENT_LOG_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_EVENT_LOG_SIZE) {
      throw new RangeError(`kube eventLogSize must be an integer from 1 to ${MAX_EVENT_LOG_SIZE}, got ${size}`);
    }
    this.eventLogSize = size;
    const types = [erase(nodeType), erase(podType)];
    if (options.ciliumEndpointCRD) {
      types.push(erase(ciliumEndpointType));
    }
    for (const type of types) {
      this.resources.set(type.api.name, new ResourceStore(type));
    }
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The resource's store, or undefined when the API does not serve it (the CiliumEndpoint CRD disabled). */
  resource(name: KubeResource): ResourceStore | undefined {
    return this.resources.get(name);
  }

  /** Catches up with the model: from the first call on, the store follows every tick. */
  sync(): void {
    if (!this.started) {
      this.started = true;
      this.unsubscribeTick = this.cluster.onTick(() => this.sync());
      this.diff(false);
      for (const resource of this.resources.values()) {
        resource.compactedThrough = this.rv;
      }
      return;
    }
    this.diff(true);
  }

  /** Starts a watch from `fromRv`: the logged events after it, or why it cannot start. */
  watchFrom(resource: ResourceStore, fromRv: number): WatchStart {
    this.sync();
    if (fromRv < resource.compactedThrough) {
      return { expired: `too old resource version: ${fromRv} (${resource.compactedThrough})` };
    }
    if (fromRv > this.rv) {
      return { expired: `too large resource version: ${fromRv}, current: ${this.rv}` };
    }
    return { events: resource.eventsAfter(fromRv) };
  }

  /** Forgets every logged event, as an etcd compaction does: watches from before now get 410 Expired. */
  compact(): void {
    this.sync();
    for (const resource of this.resources.values()) {
      resource.log = [];
      resource.compactedThrough = this.rv;
    }
  }

  close(): void {
    this.unsubscribeTick?.();
    this.unsubscribeTick = null;
    for (const resource of this.resources.values()) {
      resource.subscribers.clear();
    }
  }

  private diff(emit: boolean): void {
    const generation = this.cluster.generation;
    if (generation === this.syncedGeneration) {
      return;
    }
    this.syncedGeneration = generation;
    const before = this.rv;
    const batches: Array<[ResourceStore, StoreEvent[]]> = [];
    for (const resource of this.resources.values()) {
      const events = this.diffResource(resource, emit);
      if (emit && events.length > 0) {
        resource.log = resource.log.length === 0 ? events : resource.log.concat(events);
        this.trimLog(resource);
        batches.push([resource, events]);
      }
    }
    for (const [resource, events] of batches) {
      for (const subscriber of resource.subscribers) {
        subscriber.events(events);
      }
    }
    if (emit && this.rv !== before) {
      for (const resource of this.resources.values()) {
        for (const subscriber of resource.subscribers) {
          subscriber.synced(this.rv);
        }
      }
    }
  }

  /** Brings one resource's records up to date; the events that tell what changed, unless `emit` is false. */
  private diffResource(resource: ResourceStore, emit: boolean): StoreEvent[] {
    const type = resource.type;
    const epoch = ++this.epoch;
    const events: StoreEvent[] = [];
    let membership = false;
    for (const item of type.items(this.cluster)) {
      const identity = type.identity(item);
      const known = resource.entryOf(identity);
      if (known && !known.gone) {
        known.seen = epoch;
        if (!type.unchanged(item, known.record.state)) {
          const previous = known.record;
          known.record = makeRecord(previous.key, previous.uid, ++this.rv, type.snapshot(item, this.cluster, previous));
          if (emit) {
            events.push({ type: 'MODIFIED', rv: known.record.rv, record: known.record, previous });
          }
        }
        continue;
      }
      const key = type.key(item);
      const replaced = resource.entries.get(key);
      if (replaced) {
        // Another model object under the same name: deleted and created again between two syncs.
        replaced.gone = true;
        resource.entries.delete(key);
        const gone = this.deleted(replaced.record);
        if (emit) {
          events.push(gone);
        }
      }
      const uid = type.uid(item, this.cluster);
      const record = makeRecord(key, uid, ++this.rv, type.snapshot(item, this.cluster, undefined));
      const entry: Entry = { record, seen: epoch, gone: false };
      resource.entries.set(key, entry);
      resource.attach(identity, entry);
      if (emit) {
        events.push({ type: 'ADDED', rv: record.rv, record, previous: null });
      }
      membership = true;
    }
    for (const [key, entry] of resource.entries) {
      if (entry.seen !== epoch) {
        entry.gone = true;
        resource.entries.delete(key);
        const gone = this.deleted(entry.record);
        if (emit) {
          events.push(gone);
        }
        membership = true;
      }
    }
    if (membership) {
      resource.membershipChanged();
    }
    return events;
  }

  private deleted(record: KubeRecord): StoreEvent {
    const gone: KubeRecord = { ...record, rv: ++this.rv };
    return { type: 'DELETED', rv: gone.rv, record: gone, previous: null };
  }

  private trimLog(resource: ResourceStore): void {
    const excess = resource.log.length - this.eventLogSize;
    if (excess > 0) {
      resource.compactedThrough = resource.log[excess - 1].rv;
      resource.log = resource.log.slice(excess);
    }
  }
}

function makeRecord(key: string, uid: string, rv: number, snapshot: Snapshot<unknown>): KubeRecord {
  return {
    key,
    uid,
    rv,
    namespace: snapshot.namespace,
    name: snapshot.name,
    labels: snapshot.labels,
    state: snapshot.state,
  };
}

/** The store handles every resource type alike; each type's own functions only ever see their own items. */
function erase<T, S>(type: ResourceType<T, S>): ResourceType<unknown, unknown> {
  return type as unknown as ResourceType<unknown, unknown>;
}
