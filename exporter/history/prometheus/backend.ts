/**
 * The Prometheus history backend: every expression printed as PromQL (promql.ts) and sent as one query_range on
 * the grid (or one instant query for a single point), the answer laid back on the grid; a panel's quantiles are one
 * query of their bucket rates, histogram_quantile applied here (quantile.ts); a ranking's scores are one query, the
 * top k and ties kept here (keepRanked). Nothing from a request
 * reaches Prometheus except as an escaped matcher value. Per API request at most --prometheus-max-concurrency
 * requests are in flight, and a query its panels ask twice on the same grid is sent once (the policy revision
 * skew's cluster and top-N views read every node's revision: over 30 days of 1,000 nodes, 12 MB from Prometheus).
 */
import {
  type GridSeries,
  type HistoryBackend,
  type HistoryReader,
  type HistoryStatus,
  gridValue,
  sortSeries,
} from '../backend';
import { type Expr, type Quantile, type Ranking, rankedKeep, resultLabels } from '../expr';
import type { StepGrid } from '../grid';
import { rankingScores, toPromQL } from '../promql';
import { evaluateSharingBuckets } from '../quantile';
import type { MatrixRow, PrometheusClient } from './client';
import { Semaphore } from './semaphore';

/** One query of an API request, however many of its reads ask it. */
interface SharedRead {
  result: Promise<GridSeries[]>;
  /** Reads waiting for it that have not given up. */
  readers: number;
  settled: boolean;
  stop: AbortController;
}

export class PrometheusBackend implements HistoryBackend {
  readonly kind = 'prometheus';

  constructor(
    readonly client: PrometheusClient,
    /** The larger of the exporters' scrape interval and Prometheus's: the interval between stored samples. */
    readonly intervalMs: number,
    private readonly maxConcurrency: number
  ) {}

  reader(signal?: AbortSignal): HistoryReader {
    const limit = new Semaphore(this.maxConcurrency);
    // The reader lives as long as its API request: what it read is kept that long.
    const asked = new Map<string, SharedRead>();
    /** The query of `e` on the grid, sent unless asked already; `leaving` gets how to give up waiting for it. */
    const join = (
      e: Exclude<Expr, Quantile>,
      grid: StepGrid,
      leaving: Array<(why: unknown) => void>
    ): Promise<GridSeries[]> => {
      const key = `${grid.times[0]}|${grid.step}|${grid.times.length}|${toPromQL(e, grid)}`;
      let read = asked.get(key);
      if (!read) {
        const stop = new AbortController();
        const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
        const entry: SharedRead = {
          result: limit.run(() => this.evaluate(e, grid, both), both),
          readers: 0,
          settled: false,
          stop,
        };
        entry.result.then(
          () => (entry.settled = true),
          () => (entry.settled = true)
        );
        asked.set(key, (read = entry));
      }
      const entry = read;
      entry.readers++;
      leaving.push((why) => {
        // Abandoned once no read waits for it any more (and asked again by the next that needs it).
        if (--entry.readers === 0 && !entry.settled) {
          asked.delete(key);
          entry.stop.abort(why);
        }
      });
      return entry.result;
    };
    return {
      evaluate: async (exprs, grid) => {
        const leaving: Array<(why: unknown) => void> = [];
        try {
          // The quantiles of a panel share one query of their bucket rates (quantile.ts).
          return await evaluateSharingBuckets(exprs, grid.times.length, (e) => join(e, grid, leaving));
        } catch (err) {
          // The first failure ends the others of the same read (their query fails anyway), but for those another
          // read still waits for: no request left behind.
          leaving.forEach((leave) => leave(err));
          throw err;
        }
      },
    };
  }

  status(): HistoryStatus {
    return {
      backend: 'prometheus',
      url: this.client.url,
      ...this.client.status(),
      retentionSeconds: null,
      series: null,
      bytes: null,
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async evaluate(expr: Exclude<Expr, Quantile>, grid: StepGrid, signal?: AbortSignal): Promise<GridSeries[]> {
    const n = grid.times.length;
    if (n === 0) {
      return [];
    }
    // A ranking's R would be evaluated twice by `R >= scalar(min(topk(k, R)))` (Prometheus shares no
    // subexpression): over 30 days of 1,000 nodes that is a second pass over every node's points. R alone is one
    // value per node, which is ranked here exactly as the embedded backend ranks (rankedKeep).
    const promql = expr.kind === 'ranking' ? rankingScores(expr, grid) : toPromQL(expr, grid);
    const first = grid.times[0];
    const rows: MatrixRow[] =
      n === 1
        ? (await this.client.query(promql, first, signal)).map((r) => ({ metric: r.metric, values: [r.value] }))
        : await this.client.queryRange(promql, first, grid.times[n - 1], grid.step, signal);
    const by = resultLabels(expr);
    const series: GridSeries[] = [];
    for (const row of rows) {
      const values: Array<number | null> = new Array(n).fill(null);
      let any = false;
      for (const [t, v] of row.values) {
        const i = Math.round((Math.round(t * 1000) - first) / grid.step);
        const value = gridValue(Number(v));
        if (i >= 0 && i < n && value !== null) {
          values[i] = value;
          any = true;
        }
      }
      if (any) {
        const labels: Record<string, string> = {};
        for (const l of by) {
          labels[l] = row.metric[l] ?? '';
        }
        series.push({ labels, values });
      }
    }
    return sortSeries(expr.kind === 'ranking' ? keepRanked(series, expr) : series, by);
  }
}

/** At each point, the series a ranking keeps among R's (see Ranking in expr.ts); a series kept at no point goes. */
function keepRanked(series: GridSeries[], expr: Ranking): GridSeries[] {
  const n = series[0]?.values.length ?? 0;
  for (let i = 0; i < n; i++) {
    const present = series.filter((s) => s.values[i] !== null);
    const kept = rankedKeep(
      present.map((s) => s.values[i]!),
      expr.order,
      expr.k,
      expr.keep
    );
    for (const s of present) {
      if (!kept(s.values[i]!)) {
        s.values[i] = null;
      }
    }
  }
  return series.filter((s) => s.values.some((v) => v !== null));
}
