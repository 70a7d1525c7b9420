/**
 * The shape of the dashboards' one table: rows of panels, each stated once (kind, title, description, layout,
 * unit, thresholds, overrides, links) with what each backend queries: the Cilium Scope datasource's ScopeQuery and
 * Prometheus's PromQL. A panel one backend cannot draw says why instead of its queries.
 */
import type { StatSpec, TableSpec, TimeSeriesSpec } from '../grafana';
import type { PromTarget } from '../promql';
import type { ScopeTarget } from '../scope-query';

/** The datasource a dashboard is built on: the Cilium Scope plugin, or Prometheus over the `ciliumscope_*` series. */
export type Backend = 'scope' | 'prometheus';

/**
 * The panel's fields without its queries: the table states them once, each backend brings its own targets. The
 * description says what the panel answers; a panel whose columns differ by backend gives it in each `differs`.
 */
type Fields<S> = Omit<S, 'targets' | 'description'> & { description?: string };

/** What one backend brings to a panel. */
export interface Source<S, T> {
  targets: T[];
  /** Ends the description: the plugin query ("Query: …") or the Prometheus series ("Series: …") behind the panel. */
  source: string;
  /** Where this backend draws the panel differently; each use says why in a comment. */
  differs?: Partial<Omit<S, 'targets'>>;
  /** A stat over a query that returns more fields than it shows: the ones it shows (a /regex/ on display names). */
  statFields?: string;
}

/** A panel this backend does not draw, and why. */
export interface Absent {
  absent: string;
}

export const absent = (why: string): Absent => ({ absent: why });

interface Queries<S> {
  scope: Source<S, ScopeTarget> | Absent;
  prometheus: Source<S, PromTarget> | Absent;
  /**
   * Clicking a node opens it in the node dashboard: on a per-node panel's top-N series (query B), or on a table's
   * Node column.
   */
  nodeLinks?: 'series' | 'column';
  /** Clicking a table row's Reason opens the workload pairs behind that node's drops (Who is being dropped). */
  reasonLinks?: true;
}

/** A stat of an overview row: 3 × 4, coloured by its thresholds, linked to the panel of its dashboard it summarises. */
export type OverviewSpec = Omit<StatSpec, 'w' | 'h' | 'calc'> & { calc?: StatSpec['calc'] };

export type PanelDef =
  | ({ kind: 'timeseries' } & Fields<TimeSeriesSpec> & Queries<TimeSeriesSpec>)
  | ({ kind: 'table' } & Fields<TableSpec> & Queries<TableSpec>)
  | ({ kind: 'stat' } & Fields<StatSpec> & Queries<StatSpec>)
  | ({
      kind: 'overview';
      /** The panel (of the same dashboard) that explains the number. */
      explains: number;
      /**
       * The name of a single value, shown inside the stat: the plugin names it with a display-name override,
       * Prometheus with the legend of its query.
       */
      named?: string;
    } & Fields<OverviewSpec> &
      Queries<OverviewSpec>);

export interface RowDef {
  id: number;
  title: string;
  panels: PanelDef[];
}
