/**
 * Keeps one resource in sync with the API server through the client library's ListWatch (list, then watch from the
 * list's resourceVersion; on 410 Gone the ListWatch clears its resourceVersion and lists again), and adds what it
 * lacks for a long-running process:
 * - ListWatch stops for good on any other error (after calling its error handlers): the watcher restarts it with
 *   capped exponential backoff and jitter, resuming from the last resourceVersion;
 * - a watch asks the server to end it after `watchTimeoutSeconds` and is abandoned if it outlives that by a grace
 *   period (a half-open connection); a watch the server closes straight away is retried after a backoff delay
 *   rather than in a tight loop; an ERROR event ends the watch at once;
 * - objects are reduced to slim records before the ListWatch caches them (see objects.ts);
 * - lists are paged, bounded in time and in object count, and aborted on close;
 * - optionally a 404 on list means "this resource does not exist here" (the CiliumEndpoint CRD is not installed):
 *   reported as absent and retried at a slow pace.
 * The watcher's own status (synced, last sync age, restarts, lists, objects, last error) feeds /metrics and the API.
 */
import { type KubeConfig, type KubernetesListObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from '../log';
import { Backoff } from './backoff';
import { describeKubeError, httpStatusOf } from './errors';
import type { PageLister } from './listers';
import type { SlimMeta } from './objects';
import type { WatchTiming } from './timing';
import { type WatchQuery, openWatchStream } from './watch-stream';

/** A watch that ended on its own sooner than this without an event counts as a failed attempt (paced). */
const MIN_HEALTHY_WATCH_MS = 1000;
/** Largest watch event accepted (the API server's own object limit is about 1.5 MiB). */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;
/** Objects one resource may hold; a list beyond this fails rather than exhausting memory. */
export const MAX_OBJECTS = 1_000_000;

export interface SlimObject {
  metadata: SlimMeta;
}

export interface WatcherHandlers<T> {
  upsert(obj: T): void;
  remove(obj: T): void;
  /** After every complete list has been applied (initial sync and relists). */
  synced?(): void;
  /** The resource answered 404 (only with `absentOnNotFound`). */
  absent?(): void;
}

export interface ResourceWatcherOptions<T extends SlimObject> {
  /** Label for metrics and logs: pods, ciliumendpoints, agent-pods, operator-pods. */
  resource: string;
  /** Watch path, e.g. /api/v1/pods. */
  path: string;
  labelSelector?: string;
  list: PageLister;
  slim: (value: unknown) => T | null;
  kubeConfig: KubeConfig;
  handlers: WatcherHandlers<T>;
  timing: WatchTiming;
  absentOnNotFound?: boolean;
  maxObjects?: number;
  log: Logger;
  now?: () => number;
  random?: () => number;
}

export interface WatcherStatus {
  resource: string;
  /** Listed completely at least once. */
  synced: boolean;
  /** The last list is applied and a watch continues it right now. */
  inSync: boolean;
  /** The server answered 404: the resource does not exist there. */
  absent: boolean;
  /** Unix ms when the data was last known current; null before the first list. */
  lastSyncAt: number | null;
  /** 0 while in sync; null before the first list. */
  lastSyncAgeSeconds: number | null;
  /** Recoveries: errors, dropped watches, ERROR events, abandoned watches. */
  restarts: number;
  /** Complete lists requested (the initial one, relists after 410 Gone and after errors before a resourceVersion). */
  lists: number;
  objects: number;
  /** The resourceVersion the watcher has reached ('' before the first list). */
  resourceVersion: string;
  error: string | null;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

export class ResourceWatcher<T extends SlimObject> {
  private listWatch: ListWatch<T & { metadata: SlimMeta }> | null = null;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly liveWatches = new Set<AbortController>();
  private listAbort: AbortController | null = null;
  private listApplied = false;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly random: () => number;
  private waiters: Array<() => void> = [];
  private readonly state = {
    synced: false,
    inSync: false,
    absent: false,
    lastGoodAt: null as number | null,
    restarts: 0,
    lists: 0,
    objects: 0,
    error: null as string | null,
  };

  constructor(private readonly o: ResourceWatcherOptions<T>) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.backoff = new Backoff({
      initialMs: o.timing.backoffInitialMs,
      maxMs: o.timing.backoffMaxMs,
      random: this.random,
    });
  }

  start(): void {
    if (this.listWatch || this.closed) {
      return;
    }
    this.listWatch = this.create();
    this.run(this.listWatch);
  }

  status(): WatcherStatus {
    const s = this.state;
    const now = this.now();
    const lastSyncAt = s.inSync ? now : s.lastGoodAt;
    return {
      resource: this.o.resource,
      synced: s.synced,
      inSync: s.inSync,
      absent: s.absent,
      lastSyncAt,
      lastSyncAgeSeconds: lastSyncAt === null ? null : Math.max(0, (now - lastSyncAt) / 1000),
      restarts: s.restarts,
      lists: s.lists,
      objects: s.objects,
      resourceVersion: this.listWatch?.latestResourceVersion() ?? '',
      error: s.error,
    };
  }

  /** The cached slim objects (for the small agent and operator pod sets). */
  objects(): readonly T[] {
    return this.listWatch?.list() ?? [];
  }

  /** Resolves once the resource is synced or known absent, on close, or after timeoutMs; never rejects. */
  whenSynced(timeoutMs: number): Promise<void> {
    if (this.state.synced || this.state.absent || this.closed) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t);
    }
    this.timers.clear();
    this.listAbort?.abort();
    await this.listWatch?.stop();
    for (const c of this.liveWatches) {
      c.abort();
    }
    this.liveWatches.clear();
    this.state.inSync = false;
    this.wake();
  }

  private create(): ListWatch<T & { metadata: SlimMeta }> {
    const lw = new ListWatch<T & { metadata: SlimMeta }>(
      this.o.path,
      new PacedWatch(this.o.kubeConfig, this),
      () => this.listAll(),
      false,
      this.o.labelSelector
    );
    lw.on('add', (obj) => {
      this.state.objects++;
      this.o.handlers.upsert(obj);
    });
    lw.on('update', (obj) => this.o.handlers.upsert(obj));
    lw.on('delete', (obj) => {
      this.state.objects = Math.max(0, this.state.objects - 1);
      this.o.handlers.remove(obj);
    });
    lw.on('error', (err) => this.onError(lw, err));
    return lw;
  }

  private run(lw: ListWatch<T & { metadata: SlimMeta }>): void {
    lw.start().catch((err) => this.onError(lw, err));
  }

  private schedule(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) {
        action();
      }
    }, delayMs);
    this.timers.add(timer);
  }

  private onError(lw: ListWatch<T & { metadata: SlimMeta }>, err: unknown): void {
    if (this.closed || lw !== this.listWatch) {
      return;
    }
    this.markLost();
    if (this.o.absentOnNotFound && httpStatusOf(err) === 404) {
      const wasAbsent = this.state.absent;
      this.state.absent = true;
      this.state.error = `${this.o.resource}: HTTP 404 (not installed on this cluster)`;
      if (!wasAbsent) {
        this.o.log.warn({ resource: this.o.resource }, 'resource not found on the API server; retrying slowly');
      }
      // A fresh ListWatch on retry lists again instead of resuming a watch of a resource that is gone; its cache
      // goes with it, so the objects count restarts from zero and the owner forgets them (handlers.absent).
      void lw.stop();
      this.listWatch = null;
      this.state.objects = 0;
      this.o.handlers.absent?.();
      this.wake();
      this.schedule(this.o.timing.absentRetryMs, () => {
        this.listWatch = this.create();
        this.run(this.listWatch);
      });
      return;
    }
    this.state.restarts++;
    const message = describeKubeError(err);
    const delay = this.backoff.next();
    if (this.state.error !== message) {
      this.o.log.warn(
        { resource: this.o.resource, error: message, retryInMs: delay },
        'Kubernetes watch failed; retrying'
      );
    }
    this.state.error = message;
    this.schedule(delay, () => this.run(lw));
  }

  private async listAll(): Promise<KubernetesListObject<T & { metadata: SlimMeta }>> {
    this.state.lists++;
    const abort = new AbortController();
    this.listAbort = abort;
    const timer = setTimeout(() => abort.abort(), this.o.timing.listTimeoutMs);
    const max = this.o.maxObjects ?? MAX_OBJECTS;
    try {
      const items: Array<T & { metadata: SlimMeta }> = [];
      let resourceVersion = '';
      let token: string | undefined;
      do {
        const page = await this.o.list(token, abort.signal);
        resourceVersion ||= page.resourceVersion;
        for (const raw of page.items) {
          const slim = this.o.slim(raw);
          if (slim) {
            items.push(slim as T & { metadata: SlimMeta });
          }
        }
        if (items.length > max) {
          throw new Error(`${this.o.resource}: more than ${max} objects; refusing to hold them`);
        }
        token = page.continueToken;
      } while (token && !abort.signal.aborted);
      if (abort.signal.aborted) {
        throw new Error(`${this.o.resource}: list aborted`);
      }
      this.listApplied = true;
      return { metadata: { resourceVersion }, items };
    } catch (err) {
      if (abort.signal.aborted && !this.closed) {
        throw new Error(`${this.o.resource}: the list did not complete within ${this.o.timing.listTimeoutMs / 1000}s`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.listAbort = null;
    }
  }

  private markGood(): void {
    this.state.inSync = true;
    this.state.lastGoodAt = this.now();
  }

  private markLost(): void {
    if (this.state.inSync) {
      this.state.lastGoodAt = this.now();
    }
    this.state.inSync = false;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  // Hooks for PacedWatch.

  /** @internal */ isClosed(): boolean {
    return this.closed;
  }

  /** @internal */ slim(value: unknown): T | null {
    return this.o.slim(value);
  }

  /** @internal */ timing(): WatchTiming {
    return this.o.timing;
  }

  /** @internal */ jitter(): number {
    return this.random();
  }

  /** @internal The ListWatch calls watch() right after applying a list: the resource is in sync from here. */
  watchStarting(controller: AbortController): void {
    this.liveWatches.add(controller);
    if (!this.listApplied) {
      return;
    }
    this.listApplied = false;
    this.markGood();
    this.backoff.reset();
    const first = !this.state.synced;
    this.state.synced = true;
    this.state.absent = false;
    this.state.error = null;
    if (first) {
      this.o.log.info({ resource: this.o.resource, objects: this.state.objects }, 'Kubernetes resource synced');
    }
    this.o.handlers.synced?.();
    this.wake();
  }

  /** @internal */ watchConnected(): void {
    if (this.state.synced) {
      this.markGood();
      this.state.error = null;
    }
  }

  /** @internal */ watchEvent(): void {
    this.backoff.reset();
    if (this.state.inSync) {
      this.state.lastGoodAt = this.now();
    }
  }

  /** @internal `recovery`: the watch ended in a way that counts as a restart (dropped, expired, abandoned). */
  watchEnded(controller: AbortController, recovery: boolean): void {
    this.liveWatches.delete(controller);
    if (recovery && !this.closed) {
      this.state.restarts++;
    }
    this.markLost();
  }

  /** @internal An ERROR event (410 Gone, or another Status) ended the watch. */
  watchErrorEvent(status: unknown): void {
    const code = (status as { code?: unknown } | null)?.code;
    this.state.error = `${this.o.resource}: watch ERROR event${typeof code === 'number' ? ` (HTTP ${code})` : ''}`;
  }

  /** @internal Delays the ListWatch's next step after a watch that closed at once without events. */
  pace(next: () => void): void {
    this.schedule(this.backoff.next(), next);
  }
}

/**
 * What the ListWatch uses to watch: the exporter's own stream (watch-stream.ts) with a server-side timeout, bookmarks,
 * a watchdog for watches that outlive their timeout, pacing of watches that close at once, ERROR events ending the
 * watch, and objects slimmed before the ListWatch caches them. It returns its AbortController at once, so the
 * ListWatch (and close()) can abort a watch the server has not answered yet.
 */
class PacedWatch<T extends SlimObject> extends Watch {
  constructor(
    private readonly kc: KubeConfig,
    private readonly owner: ResourceWatcher<T>
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    query: WatchQuery,
    callback: WatchCallback,
    done: (err: unknown) => void
  ): Promise<AbortController> {
    const owner = this.owner;
    const controller = new AbortController();
    if (owner.isClosed()) {
      controller.abort();
      return controller;
    }
    owner.watchStarting(controller);
    const timing = owner.timing();
    const timeoutSeconds = Math.max(1, Math.round(timing.watchTimeoutSeconds * (1 + owner.jitter() * 0.25)));
    const startedAt = Date.now();
    let events = 0;
    let finished = false;

    const finish = (err: Error | null, abnormal: boolean): void => {
      if (finished) {
        return;
      }
      finished = true;
      clearTimeout(watchdog);
      controller.abort();
      // Errors other than 410 reach the ListWatch's error handlers, which count the restart themselves.
      owner.watchEnded(controller, err === null ? abnormal : httpStatusOf(err) === 410);
      if (err !== null) {
        done(err);
      } else if (events === 0 && Date.now() - startedAt < MIN_HEALTHY_WATCH_MS) {
        owner.pace(() => done(null));
      } else {
        done(null);
      }
    };
    // The server ends the watch after timeoutSeconds; one still open well after that is on a dead connection.
    const watchdog = setTimeout(() => finish(null, true), timeoutSeconds * 1000 + timing.watchGraceMs);

    void openWatchStream(
      this.kc,
      path,
      { ...query, timeoutSeconds, allowWatchBookmarks: true },
      { answerTimeoutMs: timing.watchGraceMs, maxLineBytes: MAX_EVENT_BYTES },
      controller,
      {
        onOpen: () => owner.watchConnected(),
        onEvent: (phase, obj, raw) => {
          if (finished) {
            return;
          }
          events++;
          if (phase === 'ERROR') {
            // Lets the ListWatch clear its resourceVersion on 410, then ends this watch without waiting for the server.
            callback(phase, obj, raw);
            owner.watchErrorEvent(obj);
            finish(null, true);
            return;
          }
          let value = obj;
          if (phase !== 'BOOKMARK') {
            value = owner.slim(obj);
            if (!value) {
              return;
            }
          }
          callback(phase, value, raw);
          owner.watchEvent();
        },
        onEnd: (err) => finish(err, false),
      }
    );
    return controller;
  }
}
