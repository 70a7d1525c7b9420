/**
 * One watch response: a chunked stream of JSON lines `{"type": ..., "object": ...}` in resourceVersion order.
 *
 * Lines are written as fast as the client reads them; what it has not read yet waits in a bounded queue, and a
 * watch that falls too far behind is closed (the API server does the same), so the client watches again from the
 * last resourceVersion it saw. Initial events (a watch without a resourceVersion) are serialised lazily, a batch at
 * a time, so that a watch of 100,000 pods does not hold them all in memory at once.
 */
import type { ServerResponse } from 'node:http';
import type { KubeRecord } from './objects';
import type { KubeStatus } from './status';
import type { ResourceStore, StoreEvent, StoreSubscriber } from './store';

export interface WatchStreamOptions {
  res: ServerResponse;
  resource: ResourceStore;
  /** The watch's selectors (namespace, labels, fields). */
  match: (record: KubeRecord) => boolean;
  /** Objects sent as ADDED first (a watch without a resourceVersion, or "0"); null for none. */
  initial: KubeRecord[] | null;
  /** Logged events after the watch's resourceVersion. */
  replay: StoreEvent[];
  resourceVersion: () => number;
  bookmarks: boolean;
  /** sendInitialEvents: a bookmark annotated k8s.io/initial-events-end after the initial events. */
  initialEventsEnd: boolean;
  bookmarkIntervalMs: number;
  timeoutMs: number;
  /** End the stream after this many events (0: never). */
  afterEvents: number;
  onClose: (stream: WatchStream) => void;
  onEvents: (count: number) => void;
}

/** Bytes a watch may have queued (not yet taken by the client) before it is closed as too slow. */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const CHUNK_LINES = 256;
const CHUNK_BYTES = 256 * 1024;
/** How long an ending stream may take to flush before its connection is destroyed. */
const END_GRACE_MS = 10_000;

export class WatchStream implements StoreSubscriber {
  private queue: string[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private initialIndex = 0;
  private initialEndLine: string | null = null;
  private pumping = false;
  /** The response's buffer is full: nothing more is written until it drains. */
  private draining = false;
  private ending = false;
  private closed = false;
  private sent = 0;
  private lastRv: number;
  private lastBookmarkAt = Date.now();
  private readonly timeout: NodeJS.Timeout;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: WatchStreamOptions) {
    this.lastRv = o.resourceVersion();
    o.res.on('close', () => this.cleanup());
    if (o.initial && o.initialEventsEnd && o.bookmarks) {
      this.initialEndLine = this.bookmarkLine(this.lastRv, true);
    }
    o.resource.subscribers.add(this);
    this.timeout = setTimeout(() => this.finish(), o.timeoutMs);
    this.timeout.unref();
    this.events(o.replay);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  events(batch: readonly StoreEvent[]): void {
    for (const event of batch) {
      this.lastRv = Math.max(this.lastRv, event.rv);
      const line = this.lineFor(event);
      if (line !== null) {
        this.push(line);
      }
    }
    this.pump();
  }

  synced(resourceVersion: number): void {
    if (!this.o.bookmarks || resourceVersion <= this.lastRv) {
      return;
    }
    const now = Date.now();
    if (now - this.lastBookmarkAt >= this.o.bookmarkIntervalMs) {
      this.lastBookmarkAt = now;
      this.push(this.bookmarkLine(resourceVersion, false));
      this.lastRv = resourceVersion;
      this.pump();
    }
  }

  /** Ends the stream cleanly after what is queued (a bookmark first, when the client asked for them). */
  finish(): void {
    if (this.ending || this.closed) {
      return;
    }
    if (this.o.bookmarks) {
      this.push(this.bookmarkLine(this.o.resourceVersion(), false));
    }
    this.ending = true;
    this.killTimer = setTimeout(() => this.o.res.destroy(), END_GRACE_MS);
    this.killTimer.unref();
    this.pump();
  }

  /** Sends an ERROR event with the status, then ends. */
  fail(status: KubeStatus): void {
    if (this.ending || this.closed) {
      return;
    }
    this.dropQueue();
    this.clearInitial();
    this.push(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
    this.ending = true;
    this.pump();
  }

  /** Cuts the stream now: cleanly (the client watches again) or by destroying the connection. */
  drop(abrupt: boolean): void {
    if (this.closed) {
      return;
    }
    if (abrupt) {
      this.o.res.destroy();
      return;
    }
    this.dropQueue();
    this.clearInitial();
    this.ending = true;
    this.pump();
  }

  private clearInitial(): void {
    this.o.initial = null;
    this.initialEndLine = null;
  }

  private lineFor(event: StoreEvent): string | null {
    const match = this.o.match;
    const now = match(event.record);
    if (event.type !== 'MODIFIED') {
      return now ? this.eventLine(event) : null;
    }
    const before = event.previous !== null && match(event.previous);
    if (now && before) {
      return this.eventLine(event);
    }
    // A change that moves the object into or out of the selection looks like a creation or a deletion to this watch.
    if (now) {
      return this.line('ADDED', event.record);
    }
    return before ? this.line('DELETED', event.record) : null;
  }

  private eventLine(event: StoreEvent): string {
    event.line ??= this.line(event.type, event.record);
    return event.line;
  }

  private line(type: string, record: KubeRecord): string {
    return `{"type":"${type}","object":${this.o.resource.type.toJson(record)}}\n`;
  }

  private bookmarkLine(rv: number, initialEventsEnd: boolean): string {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEventsEnd) {
      metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    }
    const { kind, apiVersion } = this.o.resource.type.api;
    return JSON.stringify({ type: 'BOOKMARK', object: { kind, apiVersion, metadata } }) + '\n';
  }

  private push(line: string): void {
    if (this.closed || this.ending) {
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) {
      // Too slow: close; the client watches again from the last resourceVersion it received.
      this.o.res.destroy();
    }
  }

  private dropQueue(): void {
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
  }

  private pump(): void {
    if (this.pumping || this.draining || this.closed) {
      return;
    }
    this.pumping = true;
    try {
      for (;;) {
        const chunk = this.nextChunk();
        if (chunk === null) {
          if (this.ending && !this.o.res.writableEnded) {
            this.o.res.end();
          }
          return;
        }
        if (!this.o.res.write(chunk)) {
          this.draining = true;
          this.o.res.once('drain', () => {
            this.draining = false;
            this.pump();
          });
          return;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The next lines to write, or null when there is nothing to write now. */
  private nextChunk(): string | null {
    if (this.o.res.destroyed || this.o.res.writableEnded) {
      return null;
    }
    const limit = this.o.afterEvents;
    const sentBefore = this.sent;
    let chunk = '';
    let lines = 0;
    const room = (): boolean => lines < CHUNK_LINES && chunk.length < CHUNK_BYTES && !(limit > 0 && this.sent >= limit);
    const initial = this.o.initial;
    if (initial) {
      while (this.initialIndex < initial.length && room()) {
        const record = initial[this.initialIndex++];
        if (this.o.match(record)) {
          chunk += this.line('ADDED', record);
          lines++;
          this.sent++;
        }
      }
      if (this.initialIndex >= initial.length) {
        this.o.initial = null;
        if (this.initialEndLine !== null) {
          chunk += this.initialEndLine;
          this.initialEndLine = null;
        }
      }
    }
    if (this.o.initial === null) {
      while (this.queueHead < this.queue.length && room()) {
        const line = this.queue[this.queueHead++];
        this.queuedBytes -= line.length;
        chunk += line;
        lines++;
        if (
          line.startsWith('{"type":"ADDED"') ||
          line.startsWith('{"type":"MODIFIED"') ||
          line.startsWith('{"type":"DELETED"')
        ) {
          this.sent++;
        }
      }
      if (this.queueHead === this.queue.length) {
        this.dropQueue();
      }
    }
    if (limit > 0 && this.sent >= limit) {
      this.ending = true;
    }
    if (this.sent > sentBefore) {
      this.o.onEvents(this.sent - sentBefore);
    }
    return chunk === '' ? null : chunk;
  }

  private cleanup(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearTimeout(this.timeout);
    if (this.killTimer) {
      clearTimeout(this.killTimer);
    }
    this.o.resource.subscribers.delete(this);
    this.dropQueue();
    this.o.onClose(this);
  }
}
