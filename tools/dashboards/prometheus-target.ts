/** A Prometheus panel query as Grafana's Prometheus datasource stores it. */
import type { Json } from './grafana';

export interface PromTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  /** A table of the latest values instead of a range. */
  instant?: boolean;
}

/** A Prometheus panel query. Every expression here is checked with promtool by the dashboard tests. */
export function promTarget(t: PromTarget): Json {
  return {
    refId: t.refId,
    expr: t.expr,
    legendFormat: t.legendFormat ?? '__auto',
    range: !t.instant,
    instant: Boolean(t.instant),
    format: t.instant ? 'table' : 'time_series',
    editorMode: 'code',
  };
}
