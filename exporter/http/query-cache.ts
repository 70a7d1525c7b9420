/**
 * Answers of POST /api/v1/query and /api/v1/annotations, kept while the history cannot change them. A dashboard refreshing, or many people
 * looking at the same one, ask the same queries over a range ending "now": the answer is computed and serialised
 * once, and identical queries asked while it is being computed wait for it instead of computing it again.
 *
 * What keeps an answer valid is the generation the caller gives:
 * - embedded history: the scrape cycle count. Until a cycle adds samples the rings cannot change, so a cached answer
 *   is exactly what running the queries again gives;
 * - Prometheus: the scrape interval the current time falls in. Prometheus takes in at most one sample per series
 *   per interval, so an answer is served at most one interval after it was computed: the same freshness a
 *   dashboard refreshing once per interval has, while fifty people refreshing cost one query.
 * A query's key is its step grid (first point, step, count), the range's length (totals over the range) and the
 * query itself. The unmanaged pods table comes from the Kubernetes watch, which changes between cycles: never cached. Failed
 * answers are not kept. Bounded in bytes, least recently used out first.
 */
import type { QueryRequest, QueryResult, ScopeQuery } from '../../src/contract';
import { gridOf } from './query';

/**
 * Queries whose answer depends on more than the generation tracks: the unmanaged pods table is the Kubernetes join
 * as it is now. Their count over time is read from the history like every other series, and cached.
 */
function uncached(q: ScopeQuery): boolean {
  return q.queryType === 'unmanagedPods' && q.view !== 'count';
}

export interface QueryCacheOptions {
  maxBytes?: number;
}

export class QueryCache {
  private generation: string | null = null;
  private readonly entries = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<string>>();
  private bytes = 0;
  private readonly maxBytes: number;
  hits = 0;
  misses = 0;

  constructor(options: QueryCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /**
   * Serialised `{ results }` for the request: cached or in-flight answers where there are, `compute` for the others
   * (called once with just those queries).
   */
  async answer(
    request: QueryRequest & { queries: ScopeQuery[] },
    sampleIntervalMs: number,
    generation: string,
    compute: (queries: ScopeQuery[]) => Promise<Record<string, QueryResult>>
  ): Promise<string> {
    this.enter(generation);
    const grid = gridOf(request, sampleIntervalMs);
    const prefix = `${generation}|${grid.times[0] ?? ''}|${grid.step}|${grid.times.length}|${request.to - request.from}|`;
    const parts = new Map<string, string | Promise<string>>();
    const missing: Array<{ query: ScopeQuery; key: string }> = [];
    for (const q of request.queries) {
      const key = prefix + JSON.stringify(q);
      const cacheable = !uncached(q);
      const cached = cacheable ? this.entries.get(key) : undefined;
      const pending = cacheable ? this.inflight.get(key) : undefined;
      if (cached !== undefined) {
        // Most recently used last.
        this.entries.delete(key);
        this.entries.set(key, cached);
        parts.set(q.refId, cached);
        this.hits++;
      } else if (pending) {
        parts.set(q.refId, pending);
        this.hits++;
      } else {
        missing.push({ query: q, key });
      }
    }
    if (missing.length) {
      this.misses += missing.length;
      const results = compute(missing.map((m) => m.query));
      for (const { query: q, key } of missing) {
        const json = results.then((r) => ({
          json: JSON.stringify(r[q.refId]),
          failed: r[q.refId]?.error !== undefined,
        }));
        const text = json.then((j) => j.json);
        // Awaited below; a rejection left behind by an earlier one failing must not be unhandled.
        text.catch(() => undefined);
        parts.set(q.refId, text);
        if (uncached(q)) {
          continue;
        }
        this.inflight.set(key, text);
        json.then(
          ({ json: body, failed }) => {
            this.inflight.delete(key);
            if (!failed && generation === this.generation) {
              this.store(key, body);
            }
          },
          () => this.inflight.delete(key)
        );
      }
    }
    let out = '{"results":{';
    for (const [i, q] of request.queries.entries()) {
      out += (i ? ',' : '') + JSON.stringify(q.refId) + ':' + (await parts.get(q.refId));
    }
    return out + '}}';
  }

  /**
   * One serialised answer under `key` (an annotation request): cached, in flight, or computed now. A rejected
   * computation is not kept.
   */
  async single(key: string, generation: string, compute: () => Promise<string>): Promise<string> {
    this.enter(generation);
    const full = `${generation}|${key}`;
    const cached = this.entries.get(full);
    if (cached !== undefined) {
      this.entries.delete(full);
      this.entries.set(full, cached);
      this.hits++;
      return cached;
    }
    const pending = this.inflight.get(full);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    const text = compute();
    this.inflight.set(full, text);
    text.then(
      (body) => {
        this.inflight.delete(full);
        if (generation === this.generation) {
          this.store(full, body);
        }
      },
      () => this.inflight.delete(full)
    );
    return text;
  }

  /** Forgets every answer when the history may have changed. */
  private enter(generation: string): void {
    if (generation !== this.generation) {
      this.entries.clear();
      this.bytes = 0;
      this.generation = generation;
    }
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
