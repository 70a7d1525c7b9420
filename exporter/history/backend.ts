/**
 * The history interface the query layer reads: expressions (expr.ts) evaluated on a step grid (grid.ts), answered
 * by the embedded rings (embedded.ts) or a Prometheus-compatible server (prometheus/backend.ts). Both return the
 * same shape, series of values on the grid, so the frames built from them are the same code.
 */
import type { HistoryStatus } from '../../src/contract';
import type { Expr } from './expr';
import type { StepGrid } from './grid';

export type { HistoryStatus };

/** One result series: its labels (the expression's `by` labels, '' where absent) and a value per grid time. */
export interface GridSeries {
  labels: Record<string, string>;
  values: Array<number | null>;
}

/** Reads for one API request: its own limits (concurrent requests to a server, a deadline). */
export interface HistoryReader {
  /** One result per expression, each sorted by its label values in `by` order. */
  evaluate(exprs: readonly Expr[], grid: StepGrid): Promise<GridSeries[][]>;
}

export interface HistoryBackend {
  readonly kind: 'embedded' | 'prometheus';
  /** Time between samples (the scrape interval the windows are built from). */
  readonly intervalMs: number;
  reader(signal?: AbortSignal): HistoryReader;
  status(): HistoryStatus;
  close(): Promise<void>;
}

/**
 * A failure of the history backend, for the panel: it names the backend and the cause, e.g.
 * `history backend prometheus (http://prom:9090): timed out after 10s`.
 */
export class HistoryBackendError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: string,
    /** The HTTP status the API answers the query with: 502 (bad answer), 504 (timeout), 422 (too many series). */
    readonly status: number
  ) {
    super(`history backend ${backend}: ${reason}`);
    this.name = 'HistoryBackendError';
  }
}

/** A grid value: finite numbers only (NaN, as histogram_quantile gives without observations, is no value). */
export function gridValue(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The sort key of a result series: its `by` label values, in order. */
export function seriesSortKey(labels: Record<string, string>, by: readonly string[]): string {
  let key = '';
  for (const l of by) {
    key += (labels[l] ?? '') + '\u0000';
  }
  return key;
}

export function sortSeries(series: GridSeries[], by: readonly string[]): GridSeries[] {
  const keyed = series.map((s) => ({ s, key: seriesSortKey(s.labels, by) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.s);
}
