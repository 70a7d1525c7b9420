/**
 * Answers of POST /api/v1/query, kept until the next scrape cycle. A dashboard refreshing, or many people looking
 * at the same one, asks the same queries over a range ending "now": until a cycle adds a point, the answer cannot
 * change, so it is computed and serialised once per cycle. A query's key is its step grid, the end of its range
 * (any end at or after the newest point is the same end) and the query itself; everything is forgotten when a cycle
 * completes. Unmanaged pods come from the Kubernetes watch, which changes between cycles: never cached. Bounded
 * in bytes, least recently used out first.
 */
import type { QueryRequest, ScopeQuery } from '../../src/contract';
import { makeGrid } from './query/range';

/** Query types whose answer depends only on what changes at the end of a cycle. */
const UNCACHED = new Set<ScopeQuery['queryType']>(['unmanagedPods']);

export interface QueryCacheOptions {
  maxBytes?: number;
}

export class QueryCache {
  private generation: string | null = null;
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  private readonly maxBytes: number;
  hits = 0;
  misses = 0;

  constructor(options: QueryCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /**
   * Serialised `{ results }` for the request: cached answers where there are, `compute` for the others (called
   * once with just those queries). `generation` changes when a cycle completes; `pointRange` tells which history
   * points a range selects.
   */
  answer(
    request: QueryRequest & { queries: ScopeQuery[] },
    scrapeIntervalMs: number,
    state: { generation: string; pointRange: (from: number, to: number) => [number, number] | null },
    compute: (queries: ScopeQuery[]) => Record<string, unknown>
  ): string {
    if (state.generation !== this.generation) {
      this.entries.clear();
      this.bytes = 0;
      this.generation = state.generation;
    }
    // What an answer depends on besides the query: the step grid, the points the handlers select (one step
    // before the range to its end) and the range's length (totals over the range).
    const grid = makeGrid(request.from, request.to, request.intervalMs, request.maxDataPoints, scrapeIntervalMs);
    const points = state.pointRange(request.from - grid.step, request.to);
    const prefix = `${grid.times[0] ?? ''}|${grid.step}|${grid.times.length}|${points?.join('-') ?? 'none'}|${request.to - request.from}|`;
    const parts = new Map<string, string>();
    const missing: Array<{ query: ScopeQuery; key: string }> = [];
    for (const q of request.queries) {
      const key = prefix + JSON.stringify(q);
      const cached = UNCACHED.has(q.queryType) ? undefined : this.entries.get(key);
      if (cached === undefined) {
        missing.push({ query: q, key });
      } else {
        // Most recently used last.
        this.entries.delete(key);
        this.entries.set(key, cached);
        parts.set(q.refId, cached);
        this.hits++;
      }
    }
    if (missing.length) {
      this.misses += missing.length;
      const results = compute(missing.map((m) => m.query));
      for (const { query: q, key } of missing) {
        const json = JSON.stringify(results[q.refId]);
        parts.set(q.refId, json);
        const failed = (results[q.refId] as { error?: unknown } | undefined)?.error !== undefined;
        if (!failed && !UNCACHED.has(q.queryType)) {
          this.store(key, json);
        }
      }
    }
    let out = '{"results":{';
    request.queries.forEach((q, i) => {
      out += (i ? ',' : '') + JSON.stringify(q.refId) + ':' + parts.get(q.refId);
    });
    return out + '}}';
  }

  private store(key: string, json: string): void {
    // Strings may take two bytes a character; an answer larger than a quarter of the budget is not kept.
    const size = (key.length + json.length) * 2;
    if (size > this.maxBytes / 4) {
      return;
    }
    while (this.bytes + size > this.maxBytes && this.entries.size) {
      const [oldKey, oldJson] = this.entries.entries().next().value as [string, string];
      this.entries.delete(oldKey);
      this.bytes -= (oldKey.length + oldJson.length) * 2;
    }
    this.entries.set(key, json);
    this.bytes += size;
  }
}
